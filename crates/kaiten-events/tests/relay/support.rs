//! What the relay tests share: a database with an organization, writers, an in-process sink
//! that remembers, consumers on the real brokers, and a TCP gate to cut a broker off.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use kaiten_events::{Metrics, Mode, OutboxEvent, RelayConfig, Sink, Sinks};
use sqlx::PgPool;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use kaiten_testkit::brokers::{NATS_URL as NATS, RABBITMQ_URL as RABBITMQ};

pub struct Db {
    pub url: String,
    pub pool: PgPool,
    pub org: Uuid,
}

pub async fn db() -> Db {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
    let url = kaiten_testkit::fresh_database().await;
    let pool = kaiten_db::connect(&url, 8).await.expect("pool");
    let org = Uuid::new_v4();
    sqlx::query("INSERT INTO organization (id, external_id) VALUES ($1, $2)")
        .bind(org)
        .bind(format!("org_{org}"))
        .execute(&pool)
        .await
        .unwrap();
    Db { url, pool, org }
}

impl Db {
    /// Commits one event; answers its id.
    pub async fn write(&self, n: usize) -> Uuid {
        self.write_in(&self.pool, n).await
    }

    pub async fn write_in(&self, pool: &PgPool, n: usize) -> Uuid {
        sqlx::query_scalar(
            "INSERT INTO outbox_events (organization_id, event_name, event_type, data)
             VALUES ($1, 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', jsonb_build_object('n', $2::int))
             RETURNING id",
        )
        .bind(self.org)
        .bind(n as i32)
        .fetch_one(pool)
        .await
        .unwrap()
    }

    /// A relay, prepared (its slot exists) before this returns, as the server does it.
    pub async fn relay(&self, mode: Mode, sinks: Sinks, metrics: Arc<Metrics>) -> JoinHandle<()> {
        let mut config = RelayConfig::new(self.url.clone(), mode);
        config.standby_poll = Duration::from_millis(200);
        config.poll_idle = Duration::from_millis(20);
        config.heartbeat = Duration::from_millis(300);
        let mode = kaiten_events::relay::prepare(&self.pool, mode).await.expect("prepare the relay");
        tokio::spawn(kaiten_events::relay::run(self.pool.clone(), config, mode, sinks, metrics))
    }

    /// Where the WAL ends now.
    pub async fn wal_end(&self) -> String {
        sqlx::query_scalar("SELECT pg_current_wal_lsn()::text").fetch_one(&self.pool).await.unwrap()
    }

    /// Whether the slot is confirmed beyond `lsn`.
    pub async fn confirmed_beyond(&self, lsn: &str) -> bool {
        sqlx::query_scalar(
            "SELECT coalesce(confirmed_flush_lsn > $1::pg_lsn, false) FROM pg_replication_slots
              WHERE database = current_database()",
        )
        .bind(lsn)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }
}

/// An in-process sink that remembers what it accepted (and can be told to refuse).
#[derive(Default)]
pub struct Collecting {
    pub events: Mutex<Vec<OutboxEvent>>,
}

impl Collecting {
    pub fn ids(&self) -> Vec<Uuid> {
        self.events.lock().unwrap().iter().map(|e| e.id).collect()
    }
}

impl Sink for Collecting {
    fn name(&self) -> &str {
        "collecting"
    }
    fn publish<'a>(&'a self, events: &'a [OutboxEvent]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.events.lock().unwrap().extend_from_slice(events);
            Ok(())
        })
    }
}

/// Waits until `done` holds, polling; panics with `what` after `secs`.
pub async fn eventually(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn distinct(ids: &[Uuid]) -> HashSet<Uuid> {
    ids.iter().copied().collect()
}

/// A TCP forwarder to `target` that can be closed (connections refused and cut) and opened.
pub struct Gate {
    pub port: u16,
    target: String,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Gate {
    /// A closed gate on a free port.
    pub async fn closed(target: &str) -> Arc<Self> {
        let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
        Arc::new(Self { port, target: target.to_owned(), task: Mutex::new(None) })
    }

    pub async fn open(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let target = self.target.clone();
        let task = tokio::spawn(async move {
            let mut links = Vec::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                links.push(tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                }));
            }
        });
        *self.task.lock().unwrap() = Some(task);
    }
}
