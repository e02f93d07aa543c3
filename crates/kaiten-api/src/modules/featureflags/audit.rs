//! `FEATURE_FLAG_EVALUATED` events, written off the request path: evaluations hand them to a
//! bounded queue that two workers drain in batches into the outbox. A full queue drops the
//! event (counted, warned about) rather than slow an evaluation; a failed write is logged and
//! not retried. The payload never carries the evaluation context.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kaiten_flags::Resolution;
use kaiten_kernel::event::Event;
use serde::Serialize;
use sqlx::PgPool;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::events;

const QUEUE: usize = 5_000;
const WORKERS: usize = 2;
const BATCH: usize = 500;

#[derive(Serialize)]
struct Evaluated<'a> {
    flag_slug: &'a str,
    flag_id: &'a str,
    variant: &'a str,
    reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched_rule_name: Option<&'a str>,
}

pub struct AuditPublisher {
    queue: Option<mpsc::Sender<(Uuid, Event)>>,
    dropped: Arc<AtomicU64>,
}

impl AuditPublisher {
    /// Starts the workers on the current runtime; without one (document generation) events
    /// are not recorded.
    pub fn start(pool: PgPool) -> Self {
        let dropped = Arc::new(AtomicU64::new(0));
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return Self { queue: None, dropped } };
        let (tx, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..WORKERS {
            runtime.spawn(drain(pool.clone(), rx.clone()));
        }
        Self { queue: Some(tx), dropped }
    }

    /// Queues the audit event of one evaluation, never waiting.
    pub fn evaluated(&self, organization_id: Uuid, slug: &str, flag_id: &str, resolution: &Resolution) {
        let Some(queue) = &self.queue else { return };
        let payload = Evaluated {
            flag_slug: slug,
            flag_id,
            variant: &resolution.variant,
            reason: resolution.reason.as_str(),
            error_code: resolution.error.as_ref().map(|(code, _)| code.as_str()),
            error_message: resolution.error.as_ref().map(|(_, message)| message.as_str()),
            matched_rule_name: resolution.matched_rule.as_deref(),
        };
        if queue.try_send((organization_id, events::EVALUATED.with(&payload))).is_err() {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped, "flag evaluation audit queue full: events dropped");
            }
        }
    }

    /// How many audit events were dropped since start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

async fn drain(pool: PgPool, rx: Arc<tokio::sync::Mutex<mpsc::Receiver<(Uuid, Event)>>>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        if rx.lock().await.recv_many(&mut batch, BATCH).await == 0 {
            return;
        }
        batch.sort_by_key(|(org, _)| *org);
        for chunk in batch.chunk_by(|a, b| a.0 == b.0) {
            let organization_id = chunk[0].0;
            let events: Vec<Event> = chunk.iter().map(|(_, e)| e.clone()).collect();
            let written = async {
                let mut conn = pool.acquire().await?;
                kaiten_kernel::uow::record_all(&mut conn, organization_id, &events).await
            };
            if let Err(err) = written.await {
                tracing::warn!(error = %err, count = events.len(), "flag evaluation audit events not written");
            }
        }
    }
}
