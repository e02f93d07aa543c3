//! Retention of relayed outbox rows, in bounded batches. Instance-scoped events are the
//! instances' audit trails and are kept unless their own retention is set.

use std::time::Duration;

use sqlx::PgPool;

#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Organization-level events older than this are deleted (once relayed).
    pub events: Duration,
    /// Instance-scoped events (the audit trail); `None` keeps them.
    pub audit: Option<Duration>,
}

const BATCH: i64 = 1000;

/// Deletes what has expired; answers how many rows went. In polling mode a row must also have
/// been published; in WAL mode the WAL keeps what the relay has not confirmed yet, so only age
/// matters.
pub async fn sweep(pool: &PgPool, retention: Retention, polling: bool) -> sqlx::Result<u64> {
    in_batches(|| async {
        Ok(sqlx::query(
            "DELETE FROM outbox_events WHERE seq IN (
               SELECT seq FROM outbox_events
                WHERE (NOT $3 OR published_at IS NOT NULL)
                  AND ((instance_id IS NULL AND occurred_at < now() - make_interval(secs => $1))
                    OR (instance_id IS NOT NULL AND $2::float8 IS NOT NULL AND occurred_at < now() - make_interval(secs => $2)))
                LIMIT $4 FOR UPDATE SKIP LOCKED)",
        )
        .bind(retention.events.as_secs_f64())
        .bind(retention.audit.map(|d| d.as_secs_f64()))
        .bind(polling)
        .bind(BATCH)
        .execute(pool)
        .await?
        .rows_affected())
    })
    .await
}

/// Runs `batch` (a delete of at most `BATCH` rows) until one deletes fewer; answers the total.
async fn in_batches<F, Fut>(mut batch: F) -> sqlx::Result<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<u64>>,
{
    let mut total = 0;
    loop {
        let deleted = batch().await?;
        total += deleted;
        if deleted < BATCH as u64 {
            return Ok(total);
        }
    }
}

/// Deletes webhook messages older than `keep` that no delivery is still pending on (their
/// deliveries and attempts go with them), and incoming message ids older than `keep` (a
/// sender retrying that late is not retrying). Answers how many rows went.
pub async fn sweep_webhooks(pool: &PgPool, keep: Duration) -> sqlx::Result<u64> {
    let messages = in_batches(|| async {
        Ok(sqlx::query(
            "DELETE FROM webhook_message WHERE id IN (
               SELECT m.id FROM webhook_message m
                WHERE m.created_at < now() - make_interval(secs => $1)
                  AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.message_id = m.id AND d.status = 'pending')
                LIMIT $2 FOR UPDATE SKIP LOCKED)",
        )
        .bind(keep.as_secs_f64())
        .bind(BATCH)
        .execute(pool)
        .await?
        .rows_affected())
    })
    .await?;
    let inbox = sqlx::query("DELETE FROM webhook_inbox WHERE received_at < now() - make_interval(secs => $1)")
        .bind(keep.as_secs_f64())
        .execute(pool)
        .await?
        .rows_affected();
    Ok(messages + inbox)
}
