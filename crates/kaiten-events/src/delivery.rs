//! Handing one batch to every sink: each sink is retried on its own until it accepted the
//! batch, so a broker outage delays events (the position does not move) without sending
//! the healthy sinks the batch twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::future::join_all;
use sqlx::PgPool;

use crate::event::OutboxEvent;
use crate::metrics::Metrics;
use crate::row::Quarantined;
use crate::sink::{Sink, Sinks};

const FIRST_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(5);
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Delivery {
    pub pool: PgPool,
    pub sinks: Sinks,
    pub metrics: Arc<Metrics>,
}

impl Delivery {
    /// Returns once every sink accepted `events` and `quarantined` rows are recorded.
    pub async fn deliver(&self, events: &[OutboxEvent], quarantined: &[Quarantined]) -> anyhow::Result<()> {
        if !quarantined.is_empty() {
            self.quarantine(quarantined).await?;
        }
        if events.is_empty() {
            return Ok(());
        }
        join_all(self.sinks.iter().map(|sink| self.until_accepted(sink.as_ref(), events))).await;
        Ok(())
    }

    async fn until_accepted(&self, sink: &dyn Sink, events: &[OutboxEvent]) {
        let mut wait = FIRST_RETRY;
        loop {
            // A broker that hangs (a blocked connection, a lost peer) counts as a failure.
            let attempt = tokio::time::timeout(PUBLISH_TIMEOUT, sink.publish(events)).await;
            match attempt.unwrap_or_else(|_| Err(anyhow::anyhow!("no answer within {PUBLISH_TIMEOUT:?}"))) {
                Ok(()) => break,
                Err(err) => {
                    self.metrics.retried(sink.name());
                    tracing::warn!(sink = sink.name(), error = %err, retry_in_ms = wait.as_millis() as u64,
                        "a sink did not accept a batch; the relay's position stays until it does");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(MAX_RETRY);
                }
            }
        }
        let now = Utc::now();
        let latencies =
            events.iter().map(|e| (now - e.committed_at).num_microseconds().unwrap_or(0).max(0) as f64 / 1e6);
        self.metrics.published(sink.name(), latencies, now.timestamp_micros() as f64 / 1e6);
        if let Err(err) = self.progress(sink.name(), events).await {
            // Progress is for status and lag only; losing one update loses no event.
            tracing::warn!(sink = sink.name(), error = %err, "could not record the sink's progress");
        }
    }

    async fn progress(&self, sink: &str, events: &[OutboxEvent]) -> sqlx::Result<()> {
        let Some(last) = events.iter().max_by_key(|e| e.seq) else { return Ok(()) };
        sqlx::query(
            "INSERT INTO outbox_sink_progress (sink, last_seq, last_event_id, published_total)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (sink) DO UPDATE SET last_seq = greatest(outbox_sink_progress.last_seq, $2),
                 last_event_id = $3, published_at = now(),
                 published_total = outbox_sink_progress.published_total + $4",
        )
        .bind(sink)
        .bind(last.seq)
        .bind(last.id)
        .bind(events.len() as i64)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    async fn quarantine(&self, rows: &[Quarantined]) -> anyhow::Result<()> {
        for row in rows {
            tracing::error!(seq = row.seq, reason = %row.reason, "an outbox row is malformed; quarantined");
            sqlx::query(
                "INSERT INTO outbox_quarantine (seq, raw, reason) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING",
            )
            .bind(row.seq)
            .bind(&row.raw)
            .bind(&row.reason)
            .execute(&self.pool)
            .await?;
        }
        self.metrics.quarantined(rows.len() as u64);
        Ok(())
    }
}
