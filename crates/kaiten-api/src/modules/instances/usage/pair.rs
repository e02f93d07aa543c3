//! Taking an (instance, entitlement) pair for one report, and what is stored for it.

use chrono::{DateTime, Utc};
use kaiten_kernel::{Error, Uow};
use uuid::Uuid;

use super::context::{self, Context};
use super::fold::Counter;
use super::schema::Behavior;
use crate::modules::entitlements::period::Window;

#[derive(sqlx::FromRow)]
pub struct LockedRow {
    #[sqlx(flatten)]
    context: Context,
    now: DateTime<Utc>,
    value: Option<serde_json::Value>,
    period_start: Option<DateTime<Utc>>,
    report_seq: Option<i64>,
}

/// Resolves the pair and takes it for this transaction: first an advisory lock on the pair,
/// which also covers a counter not created yet, then (the lateral reference orders the two)
/// the counter row `FOR UPDATE`, so a concurrent report's committed change is read rather than
/// this statement's snapshot. Every report takes the two in that order, so they cannot
/// deadlock. The stored counter comes back when the row exists; the report instant is taken
/// after every wait.
pub async fn lock_pair(
    uow: &mut Uow,
    organization_id: Uuid,
    instance_slug: &str,
    entitlement_slug: &str,
) -> Result<(Context, Option<Stored>), Error> {
    let row: Option<LockedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {columns}, date_trunc('milliseconds', clock_timestamp()) AS now, u.value, u.period_start, u.report_seq
           {from}
           CROSS JOIN LATERAL (SELECT pg_advisory_xact_lock(hashtextextended(i.id::text || ':' || e.id::text, 0))::text
                                      AS held) pair
           LEFT JOIN LATERAL (SELECT value, period_start, report_seq FROM entitlement_usage
                               WHERE instance_id = i.id AND entitlement_id = e.id AND pair.held IS NOT DISTINCT FROM pair.held
                                 FOR UPDATE) u ON true
          {filter}",
        columns = context::COLUMNS,
        from = context::FROM_GRANTED,
        filter = context::WHERE_SLUGS,
    )))
    .bind(organization_id)
    .bind(instance_slug)
    .bind(entitlement_slug)
    .fetch_optional(uow.conn())
    .await?;
    let row = row.ok_or_else(|| context::context_not_found(instance_slug, entitlement_slug))?;
    let stored = row.value.as_ref().map(|v| Stored {
        now: row.now,
        counter: Some(counter_of(v)),
        period_start: row.period_start,
        report_seq: row.report_seq.unwrap_or(0),
        previous: None,
    });
    Ok((row.context, stored))
}

fn counter_of(stored: &serde_json::Value) -> Counter {
    Counter {
        value: stored.get("value").and_then(serde_json::Value::as_f64).unwrap_or(0.0),
        event_count: stored.get("event_count").and_then(serde_json::Value::as_i64).unwrap_or(0),
    }
}

/// The pair's counter as stored, the database's now, and the earlier report under the same
/// transaction id, read after the pair's lock is held.
pub struct Stored {
    pub now: DateTime<Utc>,
    pub counter: Option<Counter>,
    pub period_start: Option<DateTime<Utc>>,
    pub report_seq: i64,
    pub previous: Option<Previous>,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    now: DateTime<Utc>,
    value: Option<serde_json::Value>,
    period_start: Option<DateTime<Utc>>,
    report_seq: Option<i64>,
    previous_behavior: Option<String>,
    previous_value: Option<f64>,
    previous_seq: Option<i64>,
    previous_at: Option<DateTime<Utc>>,
    previous_after: Option<f64>,
    previous_count: Option<i64>,
    previous_window_start: Option<DateTime<Utc>>,
    previous_window_end: Option<DateTime<Utc>>,
}

/// An accepted report under the same transaction id.
pub struct Previous {
    pub behavior: String,
    pub value: f64,
    pub report_seq: i64,
    pub reported_at: DateTime<Utc>,
    pub after: Counter,
    pub window: Option<Window>,
}

impl Previous {
    /// Whether this is the report first made under its transaction id: then it is answered as
    /// the first time (from `after` and `window`); any other report under the key is refused.
    pub fn is_same_report(&self, behavior: Behavior, value: f64) -> bool {
        self.behavior == behavior.as_str() && self.value == value
    }
}

pub async fn stored_state(
    uow: &mut Uow,
    ctx: &Context,
    transaction_id: Option<&str>,
    window_secs: f64,
) -> Result<Stored, Error> {
    let row: StoredRow = sqlx::query_as(
        "SELECT n.now, u.value, u.period_start, u.report_seq,
                led.behavior AS previous_behavior, led.reported_value AS previous_value,
                led.report_seq AS previous_seq, led.reported_at AS previous_at, led.value_after AS previous_after,
                led.event_count_after AS previous_count, led.window_start AS previous_window_start,
                led.window_end AS previous_window_end
           FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS now) n
           LEFT JOIN entitlement_usage u ON u.instance_id = $1 AND u.entitlement_id = $2
           LEFT JOIN LATERAL (
                SELECT * FROM usage_ledger l
                 WHERE $3::text IS NOT NULL AND l.instance_id = $1 AND l.entitlement_id = $2 AND l.transaction_id = $3
                   AND l.reported_at >= n.now - make_interval(secs => $4) AND l.reported_at < n.now + interval '24 hours'
                 ORDER BY l.reported_at DESC LIMIT 1) led ON true",
    )
    .bind(ctx.instance_id)
    .bind(ctx.entitlement_id)
    .bind(transaction_id)
    .bind(window_secs)
    .fetch_one(uow.conn())
    .await?;
    let counter = row.value.as_ref().map(counter_of);
    let previous = match (row.previous_behavior, row.previous_value, row.previous_seq, row.previous_at) {
        (Some(behavior), Some(value), Some(report_seq), Some(reported_at)) => Some(Previous {
            behavior,
            value,
            report_seq,
            reported_at,
            after: Counter { value: row.previous_after.unwrap_or(0.0), event_count: row.previous_count.unwrap_or(0) },
            window: row.previous_window_start.zip(row.previous_window_end).map(|(start, end)| Window { start, end }),
        }),
        _ => None,
    };
    Ok(Stored {
        now: row.now,
        counter,
        period_start: row.period_start,
        report_seq: row.report_seq.unwrap_or(0),
        previous,
    })
}
