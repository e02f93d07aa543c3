//! The relay: one per database across all replicas. A replica becomes the leader by taking a
//! session advisory lock on a connection of its own; while it holds it, it runs the WAL (or
//! polling) loop. If the process dies the lock goes with its connection and a standby takes
//! over within `standby_poll`; if the leader loses its connection it stops relaying.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};

use crate::delivery::Delivery;
use crate::metrics::Metrics;
use crate::sink::Sinks;
use crate::{poll, status, wal};

/// The advisory lock key of the relay (any constant; it only has to be the same everywhere).
const LOCK_KEY: i64 = 0x6b61_6974_656e_7231; // "kaitenr1"

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Wal,
    Poll,
}

#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub database_url: String,
    pub mode: Mode,
    pub batch_max: usize,
    pub poll_idle: Duration,
    pub standby_poll: Duration,
    /// How often the WAL relay writes a logical message of its own: PostgreSQL does not send
    /// transactions without outbox rows, so on a database whose other tables are busy but
    /// whose outbox is quiet, the slot would otherwise never advance and WAL would pile up.
    pub heartbeat: Duration,
}

impl RelayConfig {
    pub fn new(database_url: impl Into<String>, mode: Mode) -> Self {
        Self {
            database_url: database_url.into(),
            mode,
            batch_max: 500,
            poll_idle: Duration::from_millis(50),
            standby_poll: Duration::from_secs(1),
            heartbeat: Duration::from_secs(10),
        }
    }
}

/// The mode this database supports, with the WAL slot ready: call before accepting writes, so
/// nothing committed afterwards can be missed.
pub async fn prepare(pool: &PgPool, wanted: Mode) -> anyhow::Result<Mode> {
    let mode = effective_mode(pool, wanted).await;
    if mode == Mode::Wal {
        wal::prepare(pool, &wal::slot_name(pool).await?).await?;
    }
    Ok(mode)
}

/// Runs forever (abort the task to stop it): waits for leadership, relays while it lasts.
/// `mode` is what [`prepare`] answered.
pub async fn run(pool: PgPool, config: RelayConfig, mode: Mode, sinks: Sinks, metrics: Arc<Metrics>) {
    let delivery = Delivery { pool: pool.clone(), sinks, metrics: metrics.clone() };
    loop {
        match lead(&config.database_url).await {
            Ok(Some(lock)) => {
                metrics.set_leader(true);
                tracing::info!(?mode, "this process relays the outbox");
                let outcome = relay_while_leading(&pool, &config, mode, &delivery, lock, &metrics).await;
                metrics.set_leader(false);
                if let Err(err) = outcome {
                    tracing::warn!(error = %err, "the outbox relay stopped; it restarts from the last confirmed position");
                }
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "could not reach the database to elect the outbox relay"),
        }
        tokio::time::sleep(config.standby_poll).await;
    }
}

/// WAL unless the database cannot decode logically; then the poller, said loudly.
async fn effective_mode(pool: &PgPool, wanted: Mode) -> Mode {
    if wanted == Mode::Poll {
        tracing::info!("outbox relay: polling mode (KAITEN_OUTBOX_MODE=poll)");
        return Mode::Poll;
    }
    match wal::available(pool).await {
        Ok(true) => {
            tracing::info!("outbox relay: WAL capture (logical replication)");
            Mode::Wal
        }
        Ok(false) => {
            tracing::warn!(
                "outbox relay: this PostgreSQL has wal_level other than 'logical', so events are relayed by \
                 polling instead of WAL capture. Set wal_level=logical (and restart PostgreSQL) for commit-ordered \
                 capture, or set KAITEN_OUTBOX_MODE=poll to choose polling explicitly"
            );
            Mode::Poll
        }
        Err(err) => {
            tracing::warn!(error = %err, "outbox relay: could not read wal_level; trying WAL capture");
            Mode::Wal
        }
    }
}

/// The lock connection, if this process got the lock. The connection probes its peer often,
/// so a leader whose host vanished loses the lock in seconds, not at the kernel's default
/// two hours.
async fn lead(url: &str) -> anyhow::Result<Option<PgConnection>> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::raw_sql("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3")
        .execute(&mut conn)
        .await?;
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(LOCK_KEY).fetch_one(&mut conn).await?;
    Ok(got.then_some(conn))
}

async fn relay_while_leading(
    pool: &PgPool,
    config: &RelayConfig,
    mode: Mode,
    delivery: &Delivery,
    mut lock: PgConnection,
    metrics: &Metrics,
) -> anyhow::Result<()> {
    let slot = wal::slot_name(pool).await?;
    if mode == Mode::Wal {
        // A slot dropped by an operator comes back; what was committed meanwhile is gone.
        wal::prepare(pool, &slot).await?;
    }
    let relay = async {
        match mode {
            Mode::Wal => wal::stream(&config.database_url, &slot, delivery, config.batch_max).await,
            Mode::Poll => poll::run(pool, delivery, config.batch_max, config.poll_idle).await,
        }
    };
    // The lock is only as good as its connection: check it, and refresh the lag gauges.
    let watch = async {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let alive = tokio::time::timeout(Duration::from_secs(5), sqlx::query("SELECT 1").execute(&mut lock)).await;
            if !matches!(alive, Ok(Ok(_))) {
                return anyhow::anyhow!("the relay's lock connection stopped answering");
            }
        }
    };
    let gauges = async {
        loop {
            if let Ok(report) = status::read(pool, (mode == Mode::Wal).then_some(slot.as_str())).await {
                metrics.set_lag(report.lag_bytes.unwrap_or(0), report.lag_events);
            }
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
    };
    let heartbeat = async {
        loop {
            tokio::time::sleep(config.heartbeat).await;
            if mode == Mode::Wal
                && let Err(err) =
                    sqlx::query("SELECT pg_logical_emit_message(true, 'kaiten.heartbeat', '')").execute(pool).await
            {
                tracing::warn!(error = %err, "could not write the relay's heartbeat");
            }
        }
    };
    tokio::select! {
        outcome = relay => outcome,
        lost = watch => Err(lost),
        () = gauges => Ok(()),
        () = heartbeat => Ok(()),
    }
}
