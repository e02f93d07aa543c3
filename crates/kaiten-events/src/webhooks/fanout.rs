//! The relay's in-process webhook sink: each committed event becomes one delivery per enabled
//! endpoint of its organization that subscribes to its type, written to the PostgreSQL queue
//! in one statement. The relay hands a batch at least once, so the statement is idempotent.

use futures_util::future::BoxFuture;
use sqlx::PgPool;

use crate::event::OutboxEvent;
use crate::sink::Sink;

pub struct FanOut {
    pool: PgPool,
}

impl FanOut {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    async fn enqueue(&self, events: &[OutboxEvent]) -> anyhow::Result<()> {
        let bodies = events.iter().map(|e| String::from_utf8(e.webhook_body())).collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.pool.begin().await?;
        let queued: i64 = sqlx::query_scalar(
            "WITH event AS (
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                     AS e(id, organization_id, name, type, body, committed_at)),
             wanted AS (
                 SELECT event.*, endpoint.id AS endpoint_id
                   FROM event JOIN webhook_endpoint endpoint
                     ON endpoint.organization_id = event.organization_id AND NOT endpoint.disabled
                    AND (cardinality(endpoint.event_types) = 0 OR event.type = ANY (endpoint.event_types))),
             message AS (
                 INSERT INTO webhook_message (id, organization_id, event_name, event_type, body, committed_at)
                 SELECT DISTINCT id, organization_id, name, type, body, committed_at FROM wanted
                 ON CONFLICT (id) DO NOTHING),
             delivery AS (
                 INSERT INTO webhook_delivery (organization_id, endpoint_id, message_id, next_attempt_at)
                 SELECT organization_id, endpoint_id, id, now() FROM wanted
                 ON CONFLICT (endpoint_id, message_id) DO NOTHING
                 RETURNING 1)
             SELECT count(*) FROM delivery",
        )
        .bind(events.iter().map(|e| e.id).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.organization_id).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.event_name.as_str()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>())
        .bind(&bodies)
        .bind(events.iter().map(|e| e.committed_at).collect::<Vec<_>>())
        .fetch_one(&mut *tx)
        .await?;
        if queued > 0 {
            super::queue::wake(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Sink for FanOut {
    fn name(&self) -> &str {
        "webhooks"
    }

    fn publish<'a>(&'a self, events: &'a [OutboxEvent]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.enqueue(events))
    }
}
