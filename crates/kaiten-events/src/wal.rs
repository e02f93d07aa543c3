//! WAL capture: a `pgoutput` logical replication session on the publication of
//! `outbox_events`. Inserts are collected per transaction and handed to the sinks at commit,
//! batching whatever commits are already buffered; the slot is confirmed up to a commit only
//! after every sink accepted everything before it. A restart resumes from the slot.

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use pgwire_replication::{Lsn, ReplicationClient, ReplicationEvent};
use sqlx::PgPool;

use crate::connection::replication_config;
use crate::delivery::Delivery;
use crate::event::OutboxEvent;
use crate::pgoutput::{Change, Decoder};
use crate::row::{Quarantined, to_event};

pub const PUBLICATION: &str = "kaiten_outbox";

/// The slot of this database: slot names are per cluster, so several databases on one server
/// (or the tests' databases) each get their own.
pub async fn slot_name(pool: &PgPool) -> sqlx::Result<String> {
    // The database's OID: unique in the cluster, unlike a cleaned-up name.
    let oid: i64 = sqlx::query_scalar("SELECT oid::int8 FROM pg_database WHERE datname = current_database()")
        .fetch_one(pool)
        .await?;
    Ok(format!("kaiten_outbox_{oid}"))
}

/// Whether this database can do logical decoding at all.
pub async fn available(pool: &PgPool) -> sqlx::Result<bool> {
    let level: String = sqlx::query_scalar("SELECT current_setting('wal_level')").fetch_one(pool).await?;
    Ok(level == "logical")
}

/// The publication and the slot, created if missing. The slot captures what is committed
/// after it exists, so the server prepares it before it accepts writes.
pub async fn prepare(pool: &PgPool, slot: &str) -> sqlx::Result<()> {
    let publication = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '{PUBLICATION}') THEN
             CREATE PUBLICATION {PUBLICATION} FOR TABLE outbox_events WITH (publish = 'insert');
           END IF;
         END $$"
    )))
    .execute(pool)
    .await;
    match publication {
        // Another replica created it meanwhile (duplicate object, or the catalog's unique key).
        Err(sqlx::Error::Database(db)) if matches!(db.code().as_deref(), Some("42710" | "23505")) => {}
        other => {
            other?;
        }
    }
    let created = sqlx::query(
        "SELECT pg_create_logical_replication_slot($1, 'pgoutput')
          WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)",
    )
    .bind(slot)
    .execute(pool)
    .await;
    match created {
        // Another replica created it between the check and the call.
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42710") => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Streams until the session fails; the caller restarts it.
pub async fn stream(url: &str, slot: &str, delivery: &Delivery, batch_max: usize) -> anyhow::Result<()> {
    // Timestamps are parsed in ISO form; the session must not inherit another DateStyle.
    let config = replication_config(url, slot, PUBLICATION)?
        .with_options("-c datestyle=ISO -c timezone=UTC")
        .with_status_interval(std::time::Duration::from_millis(500))
        .with_wakeup_interval(std::time::Duration::from_secs(1));
    let mut client = ReplicationClient::connect(config).await?;
    let mut decoder = Decoder::default();
    let mut committed_at = Utc::now();
    let (mut open, mut batch, mut quarantined) = (Vec::new(), Vec::<OutboxEvent>::new(), Vec::<Quarantined>::new());
    let mut confirm: Option<Lsn> = None;
    loop {
        // While a batch is pending, take only what is already buffered; then publish it.
        let next = if confirm.is_some() && batch.len() < batch_max {
            match client.recv().now_or_never() {
                Some(next) => next,
                None => {
                    flush(&client, delivery, &mut batch, &mut quarantined, &mut confirm).await?;
                    continue;
                }
            }
        } else if confirm.is_some() {
            flush(&client, delivery, &mut batch, &mut quarantined, &mut confirm).await?;
            continue;
        } else {
            client.recv().await
        };
        let Some(event) = next? else { anyhow::bail!("the replication stream ended") };
        match event {
            ReplicationEvent::Begin { commit_time_micros, .. } => committed_at = postgres_time(commit_time_micros),
            ReplicationEvent::XLogData { data, .. } => {
                if let Change::Insert { table, row } = decoder.decode(&data)?
                    && table == "outbox_events"
                {
                    match to_event(&row, committed_at) {
                        Ok(event) => open.push(event),
                        Err(bad) => quarantined.push(bad),
                    }
                }
            }
            ReplicationEvent::Commit { end_lsn, .. } => {
                batch.append(&mut open);
                confirm = Some(end_lsn);
            }
            _ => {}
        }
    }
}

async fn flush(
    client: &ReplicationClient,
    delivery: &Delivery,
    batch: &mut Vec<OutboxEvent>,
    quarantined: &mut Vec<Quarantined>,
    confirm: &mut Option<Lsn>,
) -> anyhow::Result<()> {
    delivery.deliver(batch, quarantined).await?;
    batch.clear();
    quarantined.clear();
    if let Some(lsn) = confirm.take() {
        client.update_applied_lsn(lsn);
    }
    Ok(())
}

/// pgoutput times are microseconds since 2000-01-01 UTC.
fn postgres_time(micros: i64) -> DateTime<Utc> {
    const EPOCH_2000: i64 = 946_684_800_000_000;
    DateTime::from_timestamp_micros(micros.saturating_add(EPOCH_2000)).unwrap_or_else(Utc::now)
}
