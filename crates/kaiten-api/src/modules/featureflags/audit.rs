//! `FEATURE_FLAG_EVALUATED` events, written off the request path: an evaluation hands a small
//! record to a bounded queue (no serialization on the request path) that two workers drain in
//! batches, each batch one `COPY` into the outbox — the cheapest way PostgreSQL takes rows, which
//! matters because every evaluation writes one. A full queue drops the event (counted, warned
//! about) rather than slow an evaluation; a failed write is logged and not retried. The payload
//! never carries the evaluation context.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kaiten_flags::Resolution;
use serde::Serialize;
use sqlx::PgPool;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::events;
use super::flag_cache::OrgFlags;

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

/// What the queue carries: the flag is found again through its organization's compiled set.
struct Evaluation {
    organization_id: Uuid,
    flags: Arc<OrgFlags>,
    index: usize,
    variant: String,
    reason: &'static str,
    error: Option<(&'static str, String)>,
    matched_rule: Option<String>,
}

pub struct AuditPublisher {
    queue: Option<mpsc::Sender<Evaluation>>,
    dropped: AtomicU64,
}

impl AuditPublisher {
    /// Starts the workers on the current runtime; without one (document generation) events
    /// are not recorded.
    pub fn start(pool: PgPool) -> Self {
        let dropped = AtomicU64::new(0);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return Self { queue: None, dropped } };
        let (tx, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..WORKERS {
            runtime.spawn(drain(pool.clone(), rx.clone()));
        }
        Self { queue: Some(tx), dropped }
    }

    /// Queues the audit event of the evaluation of `flags.flags[index]`, never waiting.
    pub fn evaluated(&self, organization_id: Uuid, flags: &Arc<OrgFlags>, index: usize, resolution: &Resolution) {
        let Some(queue) = &self.queue else { return };
        let evaluation = Evaluation {
            organization_id,
            flags: flags.clone(),
            index,
            variant: resolution.variant.clone(),
            reason: resolution.reason.as_str(),
            error: resolution.error.as_ref().map(|(code, message)| (code.as_str(), message.clone())),
            matched_rule: resolution.matched_rule.clone(),
        };
        if queue.try_send(evaluation).is_err() {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped, "flag evaluation audit queue full: events dropped");
            }
        }
    }
}

async fn drain(pool: PgPool, rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Evaluation>>>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        if rx.lock().await.recv_many(&mut batch, BATCH).await == 0 {
            return;
        }
        if let Err(err) = write(&pool, &batch).await {
            tracing::warn!(error = %err, count = batch.len(), "flag evaluation audit events not written");
        }
    }
}

/// One `COPY` of the batch (text format: tab-separated, backslash escaped).
async fn write(pool: &PgPool, batch: &[Evaluation]) -> Result<(), sqlx::Error> {
    use std::fmt::Write as _;
    let mut rows = String::with_capacity(batch.len() * 256);
    for e in batch {
        let flag = &e.flags.flags[e.index];
        let payload = Evaluated {
            flag_slug: flag.slug(),
            flag_id: &flag.id,
            variant: &e.variant,
            reason: e.reason,
            error_code: e.error.as_ref().map(|(code, _)| *code),
            error_message: e.error.as_ref().map(|(_, message)| message.as_str()),
            matched_rule_name: e.matched_rule.as_deref(),
        };
        let data = serde_json::to_string(&payload).unwrap_or_default().replace('\\', "\\\\");
        let _ = writeln!(
            rows,
            "{}\t{}\t{}\t{data}",
            e.organization_id,
            events::EVALUATED.name,
            events::EVALUATED.event_type
        );
    }
    let mut conn = pool.acquire().await?;
    let mut copy =
        conn.copy_in_raw("COPY outbox_events (organization_id, event_name, event_type, data) FROM STDIN").await?;
    copy.send(rows.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}
