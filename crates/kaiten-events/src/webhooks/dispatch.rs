//! The delivery workers: every replica drains the PostgreSQL queue. A worker takes due
//! deliveries with `FOR UPDATE SKIP LOCKED` and leases them (their next attempt moves past the
//! request's deadline), sends them outside any transaction, then records the attempt and the
//! delivery's next state in one. A worker that dies mid-request loses nothing: its lease
//! runs out and another takes the delivery again (at least once, never lost).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use kaiten_kernel::sealed::Sealer;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, Semaphore};
use uuid::Uuid;

use super::keys;
use super::outcome::{Attempt, record};
use super::queue::CHANNEL;
use super::schedule::{RetrySchedule, retry_after};
use super::signing::{self, SigningKey};
use super::target::{self, PublicOnly};

#[derive(Debug, Clone)]
pub struct DispatchConfig {
    pub schedule: RetrySchedule,
    /// The longest one request may take, connecting included.
    pub timeout: Duration,
    /// Requests in flight at once, per replica.
    pub concurrency: usize,
    /// An endpoint failing without a break for this long is disabled.
    pub disable_after: Duration,
    pub allow_private: bool,
    /// How often the queue is looked at without a notification (retries coming due, other
    /// replicas' leases running out).
    pub poll: Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            schedule: RetrySchedule::default(),
            timeout: Duration::from_secs(15),
            concurrency: 64,
            disable_after: Duration::from_secs(5 * 86_400),
            allow_private: false,
            poll: Duration::from_secs(1),
        }
    }
}

/// A delivery taken from the queue.
#[derive(Debug, sqlx::FromRow)]
pub struct Due {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub endpoint_id: Uuid,
    pub message_id: Uuid,
    pub attempts: i32,
    pub body: String,
    pub url: String,
    /// The `next_attempt_at` this claim set: the outcome is recorded only while it still holds,
    /// so a worker whose lease ran out cannot overwrite a newer attempt's result.
    pub lease: chrono::DateTime<Utc>,
}

pub struct Dispatcher {
    pool: PgPool,
    sealer: Arc<Sealer>,
    client: reqwest::Client,
    config: DispatchConfig,
    wake: Notify,
}

impl Dispatcher {
    pub fn new(pool: PgPool, sealer: Arc<Sealer>, config: DispatchConfig) -> anyhow::Result<Arc<Self>> {
        let mut client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would resolve the target itself, past the check on
            // the addresses actually connected to.
            .no_proxy()
            .user_agent(concat!("kaiten-webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(config.concurrency.max(1));
        if !config.allow_private {
            client = client.dns_resolver(PublicOnly);
        }
        Ok(Arc::new(Self { pool, sealer, client: client.build()?, config, wake: Notify::new() }))
    }

    /// Runs until aborted: a listener that wakes the loop, and the loop. Aborting this future
    /// drops the guard, which stops the listener too.
    pub async fn run(self: Arc<Self>) {
        let _listener = AbortOnDrop(tokio::spawn(self.clone().listen()));
        self.drain().await;
    }

    async fn listen(self: Arc<Self>) {
        loop {
            match PgListener::connect_with(&self.pool).await {
                Ok(mut listener) => {
                    if listener.listen(CHANNEL).await.is_ok() {
                        while listener.recv().await.is_ok() {
                            self.wake.notify_one();
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "webhooks: cannot listen for new deliveries; polling"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn drain(self: &Arc<Self>) {
        let concurrency = self.config.concurrency.max(1);
        let slots = Arc::new(Semaphore::new(concurrency));
        // Under load, claim in batches of at least a quarter of the slots: claiming each time
        // one slot frees would cost a locking query per delivery. An idle dispatcher has every
        // slot free, so this never delays a lone delivery.
        let batch = u32::try_from((concurrency / 4).max(1)).unwrap_or(1);
        loop {
            let Ok(mut permits) = slots.clone().acquire_many_owned(batch).await else { return };
            if let Ok(more) = u32::try_from(slots.available_permits())
                && more > 0
                && let Ok(extra) = slots.clone().try_acquire_many_owned(more)
            {
                permits.merge(extra);
            }
            let due = match self.claim(permits.num_permits()).await {
                Ok(due) => due,
                Err(err) => {
                    tracing::warn!(error = %err, "webhooks: cannot read the delivery queue; retrying");
                    drop(permits);
                    tokio::time::sleep(self.config.poll).await;
                    continue;
                }
            };
            if due.is_empty() {
                drop(permits);
                let _ = tokio::time::timeout(self.config.poll, self.wake.notified()).await;
                continue;
            }
            let keys = match keys::live(&self.pool, &self.sealer, &endpoints(&due)).await {
                Ok(keys) => keys,
                Err(err) => {
                    tracing::warn!(error = %err, "webhooks: cannot read signing keys; the deliveries wait for their lease");
                    drop(permits);
                    tokio::time::sleep(self.config.poll).await;
                    continue;
                }
            };
            for delivery in due {
                let Some(permit) = permits.split(1) else { break };
                let this = self.clone();
                let keys = keys.get(&delivery.endpoint_id).cloned().unwrap_or_default();
                tokio::spawn(async move {
                    this.deliver(delivery, &keys).await;
                    drop(permit);
                });
            }
        }
    }

    /// Takes up to `limit` due deliveries and leases them past the request's deadline.
    async fn claim(&self, limit: usize) -> sqlx::Result<Vec<Due>> {
        let lease = self.config.timeout + Duration::from_secs(30);
        sqlx::query_as(
            "WITH due AS (
                 SELECT d.id FROM webhook_delivery d
                   JOIN webhook_endpoint e ON e.id = d.endpoint_id AND NOT e.disabled
                  WHERE d.status = 'pending' AND d.next_attempt_at <= now()
                  ORDER BY d.next_attempt_at
                  LIMIT $1
                    FOR UPDATE OF d SKIP LOCKED)
             UPDATE webhook_delivery d
                SET next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
               FROM due, webhook_message m, webhook_endpoint e
              WHERE d.id = due.id AND m.id = d.message_id AND e.id = d.endpoint_id
             RETURNING d.id, d.organization_id, d.endpoint_id, d.message_id, d.attempts, m.body, e.url,
                       d.next_attempt_at AS lease",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(lease.as_secs_f64())
        .fetch_all(&self.pool)
        .await
    }

    async fn deliver(&self, delivery: Due, keys: &[SigningKey]) {
        let attempt = self.send(&delivery, keys).await;
        let failures = usize::try_from(delivery.attempts).unwrap_or(0) + 1;
        let retry_in = match attempt.delivered() {
            true => None,
            false => self.config.schedule.after_failure(failures, attempt.retry_after),
        };
        if let Err(err) = record(&self.pool, &delivery, &attempt, retry_in, self.config.disable_after).await {
            // The lease brings the delivery back: it is sent again rather than lost.
            tracing::warn!(delivery = %delivery.id, error = %err, "webhooks: cannot record an attempt");
        }
    }

    async fn send(&self, delivery: &Due, keys: &[SigningKey]) -> Attempt {
        let started_at = Utc::now();
        let clock = Instant::now();
        let refused = |error: String| Attempt::refused(started_at, error);
        if keys.is_empty() {
            return refused("the endpoint has no signing key".to_owned());
        }
        if let Err(err) = target::check(&delivery.url, self.config.allow_private) {
            return refused(err.to_string());
        }
        let id = delivery.message_id.to_string();
        let timestamp = started_at.timestamp();
        let signature = signing::sign(keys, &id, timestamp, delivery.body.as_bytes());
        let mut request = self
            .client
            .post(&delivery.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(delivery.body.clone());
        for (name, value) in signing::headers(&id, timestamp, &signature) {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, Utc::now()));
                let text = first_kib(&mut response).await;
                Attempt::answered(started_at, clock.elapsed(), status, text, retry_after)
            }
            Err(err) => Attempt::failed(started_at, clock.elapsed(), describe(&err)),
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn endpoints(due: &[Due]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = due.iter().map(|d| d.endpoint_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The start of the receiver's answer: enough to debug with, never a whole large page.
async fn first_kib(response: &mut reqwest::Response) -> String {
    let mut kept = Vec::new();
    while kept.len() < 1024 {
        match tokio::time::timeout(Duration::from_secs(2), response.chunk()).await {
            Ok(Ok(Some(chunk))) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept.truncate(1024);
    String::from_utf8_lossy(&kept).into_owned()
}

fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        let mut cause = std::error::Error::source(err);
        let mut text = "could not connect".to_owned();
        while let Some(inner) = cause {
            text = format!("could not connect: {inner}");
            cause = inner.source();
        }
        text
    } else {
        err.to_string()
    }
}
