//! The polling relay, for databases without logical replication: unpublished rows in `seq`
//! order, locked with `FOR UPDATE SKIP LOCKED`, marked published in the same transaction once
//! every sink accepted them. Order across concurrent transactions is `seq` order, not commit
//! order (only the WAL knows commit order).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::delivery::Delivery;
use crate::event::{OutboxEvent, malformed};
use crate::row::Quarantined;

#[derive(sqlx::FromRow)]
struct Pending {
    seq: i64,
    id: Uuid,
    organization_id: Uuid,
    event_name: String,
    event_type: String,
    occurred_at: DateTime<Utc>,
    data: Value,
    instance_id: Option<Uuid>,
}

pub async fn run(pool: &PgPool, delivery: &Delivery, batch_max: usize, idle: Duration) -> anyhow::Result<()> {
    loop {
        if drain_once(pool, delivery, batch_max).await? == 0 {
            tokio::time::sleep(idle).await;
        }
    }
}

/// One batch; answers how many rows it handled.
pub async fn drain_once(pool: &PgPool, delivery: &Delivery, batch_max: usize) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    let rows: Vec<Pending> = sqlx::query_as(
        "SELECT seq, id, organization_id, event_name, event_type, occurred_at, data, instance_id
           FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(batch_max as i64)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let read_at = Utc::now();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    let (mut events, mut quarantined) = (Vec::new(), Vec::new());
    for row in rows {
        match malformed(&row.event_name, &row.event_type, &row.data, row.data.to_string().len()) {
            Some(reason) => quarantined.push(Quarantined {
                seq: row.seq,
                raw: serde_json::json!({"event_name": row.event_name, "event_type": row.event_type, "data": row.data}),
                reason,
            }),
            None => events.push(OutboxEvent {
                seq: row.seq,
                id: row.id,
                organization_id: row.organization_id,
                event_name: row.event_name,
                event_type: row.event_type,
                occurred_at: row.occurred_at,
                data: row.data,
                instance_id: row.instance_id,
                committed_at: read_at,
                body: Default::default(),
            }),
        }
    }
    delivery.deliver(&events, &quarantined).await?;
    sqlx::query("UPDATE outbox_events SET published_at = now() WHERE seq = ANY($1)")
        .bind(&seqs)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(seqs.len())
}
