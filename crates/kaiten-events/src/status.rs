//! What `kaiten outbox status` prints, and the lag gauges.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub slot: Option<SlotReport>,
    /// WAL the slot still holds back (WAL mode).
    pub lag_bytes: Option<i64>,
    /// Rows newer than what every sink confirmed (by `seq`); in polling mode, unpublished rows.
    pub lag_events: i64,
    pub sinks: Vec<SinkReport>,
    pub quarantined: i64,
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SlotReport {
    pub name: String,
    pub active: bool,
    pub confirmed_flush_lsn: Option<String>,
    pub current_wal_lsn: String,
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SinkReport {
    pub sink: String,
    pub last_seq: i64,
    pub published_at: DateTime<Utc>,
    pub published_total: i64,
}

pub async fn read(pool: &PgPool, slot: Option<&str>) -> sqlx::Result<Report> {
    let slot_row: Option<(SlotReport, Option<i64>)> = match slot {
        Some(name) => sqlx::query_as::<_, (String, bool, Option<String>, String, Option<i64>)>(
            "SELECT slot_name::text, active, confirmed_flush_lsn::text, pg_current_wal_lsn()::text,
                    pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint
               FROM pg_replication_slots WHERE slot_name = $1",
        )
        .bind(name)
        .fetch_optional(pool)
        .await?
        .map(|(name, active, confirmed_flush_lsn, current_wal_lsn, lag)| {
            (SlotReport { name, active, confirmed_flush_lsn, current_wal_lsn }, lag)
        }),
        None => None,
    };
    let sinks: Vec<SinkReport> =
        sqlx::query_as("SELECT sink, last_seq, published_at, published_total FROM outbox_sink_progress ORDER BY sink")
            .fetch_all(pool)
            .await?;
    let lag_events: i64 = if slot.is_some() {
        let confirmed = sinks.iter().map(|s| s.last_seq).min().unwrap_or(0);
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE seq > $1").bind(confirmed).fetch_one(pool).await?
    } else {
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL").fetch_one(pool).await?
    };
    let quarantined: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_quarantine").fetch_one(pool).await?;
    let (slot, lag_bytes) = match slot_row {
        Some((report, lag)) => (Some(report), lag),
        None => (None, None),
    };
    Ok(Report { slot, lag_bytes, lag_events, sinks, quarantined })
}
