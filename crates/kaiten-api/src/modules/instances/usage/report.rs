use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use kaiten_kernel::event::Event;
use kaiten_kernel::uow::{bind_events, outbox_insert_sql};
use kaiten_kernel::{Error, ErrorDetail, Uow};
use serde_json::json;
use uuid::Uuid;

use super::context::{self, Context};
use super::fold::{Counter, crossed};
use super::rollover::Rollover;
use super::schema::{
    Behavior, CapExceeded, EntitlementUsage, ReportEntitlementUsageBody, ReportOutcome, WarningThresholdReached,
};
use crate::auth::layer::Caller;
use crate::http::JsonBody;
use crate::http::valid_json::validate;
use crate::modules::entitlements::period::Window;
use crate::modules::entitlements::value::EntitlementValue;
use crate::modules::instances::events;
use crate::state::AppState;

const OPERATION: &str = "ReportEntitlementUsageMetric";
/// Metadata larger than this is not stored (the report still counts).
const METADATA_LIMIT: usize = 4096;
/// Reported values beyond this are refused: past 2^53 a double no longer counts in units.
const VALUE_LIMIT: f64 = 1e15;

/// Report entitlement usage
///
/// Report a usage metric for a specific entitlement in a given instance. `append` folds the
/// value into the current window's total with the entitlement's aggregation method (the
/// default); `set` replaces it. The report instant is the database's clock. A result above the
/// cap (the grant's value plus its overage percent; -1 is unlimited) is refused with 409
/// `ReportEntitlementUsageMetric.ThresholdExceeded` and nothing is counted. An optional
/// `transactionId` (`^[A-Za-z0-9._:-]{1,128}$`) makes retries safe: the same report again
/// answers the first outcome with `Idempotent-Replayed: true`, another report under the same
/// key is a 409. Metadata over 4 KiB is dropped (`Kaiten-Metadata-Dropped: too_large`).
#[utoipa::path(
    post, path = "/instances/{instanceSlug}/entitlements/{entitlementSlug}/usage",
    operation_id = "reportEntitlementUsageMetric", tag = "instances",
    params(
        ("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug"),
        ("entitlementSlug" = String, Path, description = "Entitlement slug", example = "entitlement-slug"),
    ),
    request_body = ReportEntitlementUsageBody,
    responses(
        (status = 200, description = "OK", body = EntitlementUsage),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn endpoint(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((instance_slug, entitlement_slug)): Path<(String, String)>,
    JsonBody(mut body): JsonBody,
) -> Result<Response, Error> {
    let organization_id = caller.organization_id()?;
    let transaction_id = take_transaction_id(&mut body)?;
    let report: ReportEntitlementUsageBody = validate(&state.schemas, body)?;
    let value = reported_number(&report.value)?;
    let behavior = report.behavior.unwrap_or(Behavior::Append);
    let (properties, metadata_dropped) = match report.metadata {
        Some(m) if serde_json::to_vec(&m).map_or(usize::MAX, |b| b.len()) > METADATA_LIMIT => (None, true),
        other => (other.map(serde_json::Value::Object), false),
    };

    let mut uow = Uow::begin(&state.pool).await?;
    let (ctx, locked) = lock_pair(&mut uow, organization_id, &instance_slug, &entitlement_slug).await?;
    if !ctx.r#type.is_numeric() {
        return Err(Error::bad_request(
            format!("{OPERATION}.UnsupportedEntitlementType"),
            format!("usage is reported for NUMBER entitlements only; {entitlement_slug} is {}", ctx.r#type.as_str()),
        ));
    }
    // A counter created, or a key used, while this report waited for the pair is visible only
    // to a statement that starts after the wait: read them again then.
    let stored = match locked {
        Some(stored) if transaction_id.is_none() => stored,
        _ => stored_state(&mut uow, &ctx, transaction_id.as_deref(), state.usage.idempotency_window_secs).await?,
    };
    if let Some(previous) = &stored.previous {
        return previous.replay(&ctx, behavior, value, metadata_dropped);
    }

    let now = stored.now;
    let schedule = ctx.schedule();
    let window = schedule.map(|s| s.current(now, stored.period_start));
    let mut outcome: Vec<Event> = Vec::new();
    let mut base = stored.counter.unwrap_or(Counter::ZERO);
    let rolled = match (schedule, window, stored.counter) {
        (Some(schedule), Some(current), Some(counter)) if stored.period_start != Some(current.start) => {
            let rollover = Rollover {
                entitlement_id: ctx.entitlement_id,
                entitlement_slug: &ctx.entitlement_slug,
                instance_id: ctx.instance_id,
                schedule,
                current,
            };
            let closures = rollover.plan(counter, stored.period_start, state.usage.max_closures).map_err(|_| {
                Error::unprocessable_rule(
                    format!("{OPERATION}.RolloverLimitExceeded"),
                    format!("more than {} usage windows would close at once", state.usage.max_closures),
                )
            })?;
            outcome.extend(closures.iter().map(|c| events::PERIOD_ROLLED_OVER.with(c)));
            base = Counter::ZERO;
            true
        }
        _ => false,
    };

    let after = base.fold(behavior, ctx.aggregation_method, value);
    if !after.value.is_finite() || after.value.abs() > VALUE_LIMIT {
        return Err(invalid_value("the resulting usage is out of range"));
    }
    let cap = ctx.cap();
    let accepted = cap.is_none_or(|c| c.admits(after.value));
    let report_outcome = ReportOutcome {
        entitlement_slug: &ctx.entitlement_slug,
        value,
        behavior: behavior.as_str(),
        event_count: after.event_count,
        status: if accepted { "ACCEPTED" } else { "REJECTED" },
    };
    let usage = usage_of(&ctx, after, window);
    if accepted {
        outcome.push(events::USAGE_ACCEPTED.with(&report_outcome));
        outcome.extend(signals(&ctx, base.value, after.value, &usage));
    } else {
        outcome.push(events::USAGE_REJECTED.with(&report_outcome));
    }
    let outcome: Vec<Event> = outcome.into_iter().map(|e| e.about_instance(ctx.instance_id).at(now)).collect();

    // One statement writes the counter (when it changed), the ledger row (when accepted) and
    // the events. A refused report still commits its rollover and its rejection event.
    let counter_written = if accepted { Some(after) } else { rolled.then_some(Counter::ZERO) };
    let report_seq = stored.report_seq + i64::from(accepted);
    let write = Write {
        ctx: &ctx,
        organization_id,
        now,
        window,
        counter: counter_written,
        report_seq,
        ledger: accepted.then_some(LedgerRow {
            behavior,
            value,
            before: base.value,
            after,
            cap: cap.filter(|c| !c.is_unlimited()).map(|c| (c.threshold, ctx.overage_percent)),
            transaction_id: transaction_id.as_deref(),
            properties: properties.as_ref(),
        }),
        events: &outcome,
    };
    write.execute(&mut uow).await?;
    uow.commit().await?;

    if !accepted {
        return Err(Error::conflict(
            format!("{OPERATION}.ThresholdExceeded"),
            format!("Usage for {} exceeds the allowed threshold", ctx.entitlement_slug),
        ));
    }
    Ok(respond(usage, false, metadata_dropped))
}

fn invalid_value(message: &str) -> Error {
    Error::unprocessable_rule(format!("{OPERATION}.InvalidValue"), message.to_owned())
}

/// `transactionId` is an extension beside the published body: taken out before validation.
fn take_transaction_id(body: &mut serde_json::Value) -> Result<Option<String>, Error> {
    let Some(raw) = body.as_object_mut().and_then(|o| o.remove("transactionId")) else { return Ok(None) };
    let valid = raw.as_str().filter(|s| {
        (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
    });
    match valid {
        Some(id) => Ok(Some(id.to_owned())),
        None => Err(Error::unprocessable_rule(
            format!("{OPERATION}.InvalidTransactionId"),
            "transactionId must match ^[A-Za-z0-9._:-]{1,128}$",
        )
        .with_errors(vec![ErrorDetail::new("body.transactionId", "invalid transaction id").with_value(raw)])),
    }
}

/// Only the number variant is reported; a finite value within range.
fn reported_number(value: &serde_json::Value) -> Result<f64, Error> {
    if value.get("type").and_then(serde_json::Value::as_str) != Some("number") {
        return Err(Error::unprocessable_rule(
            format!("{OPERATION}.InvalidValueType"),
            "usage is reported as {\"type\": \"number\", \"value\": …}",
        ));
    }
    let n = value
        .get("value")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| invalid_value("value.value must be a number"))?;
    if !n.is_finite() || n.abs() > VALUE_LIMIT {
        return Err(invalid_value("value.value must be a finite number of magnitude at most 1e15"));
    }
    Ok(n)
}

fn usage_of(ctx: &Context, counter: Counter, window: Option<Window>) -> EntitlementUsage {
    EntitlementUsage {
        entitlement_id: ctx.entitlement_id,
        entitlement_slug: ctx.entitlement_slug.clone(),
        license_id: ctx.license_id,
        license_slug: ctx.license_slug.clone(),
        value: EntitlementValue::counted(counter.value, counter.event_count),
        limit: ctx.grant(),
        current_period_start: window.map(|w| w.start),
        current_period_end: window.map(|w| w.end),
    }
}

/// The events an accepted report's new value is worth: landing exactly on the cap, first
/// passing it (soft caps), or crossing the warning boundary.
fn signals(ctx: &Context, before: f64, after: f64, usage: &EntitlementUsage) -> Vec<Event> {
    let mut out = Vec::new();
    let Some(cap) = ctx.cap().filter(|c| !c.is_unlimited()) else { return out };
    let threshold = cap.threshold;
    if after == threshold {
        out.push(events::USAGE_REACHED.with(usage));
    } else if after > threshold && crossed(before, after, threshold) {
        let payload = CapExceeded {
            entitlement_slug: &ctx.entitlement_slug,
            threshold,
            value: after,
            overage: after - threshold,
        };
        out.push(events::CAP_EXCEEDED.with(&payload));
    }
    let percent = f64::from(ctx.warning_threshold_percent);
    let boundary = threshold * percent / 100.0;
    if percent > 0.0 && crossed(before, after, boundary) {
        let payload =
            WarningThresholdReached { entitlement_slug: &ctx.entitlement_slug, threshold, boundary, value: after };
        out.push(events::WARNING_THRESHOLD_REACHED.with(&payload));
    }
    out
}

fn respond(usage: EntitlementUsage, replayed: bool, metadata_dropped: bool) -> Response {
    let mut headers = HeaderMap::new();
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if metadata_dropped {
        headers.insert("kaiten-metadata-dropped", HeaderValue::from_static("too_large"));
    }
    (StatusCode::OK, headers, Json(usage)).into_response()
}

#[derive(sqlx::FromRow)]
struct LockedRow {
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
async fn lock_pair(
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
struct Stored {
    now: DateTime<Utc>,
    counter: Option<Counter>,
    period_start: Option<DateTime<Utc>>,
    report_seq: i64,
    previous: Option<Previous>,
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
struct Previous {
    behavior: String,
    value: f64,
    report_seq: i64,
    reported_at: DateTime<Utc>,
    after: Counter,
    window: Option<Window>,
}

impl Previous {
    /// The same report again is answered as the first time; another one under its key is a 409.
    fn replay(&self, ctx: &Context, behavior: Behavior, value: f64, metadata_dropped: bool) -> Result<Response, Error> {
        if self.behavior == behavior.as_str() && self.value == value {
            return Ok(respond(usage_of(ctx, self.after, self.window), true, metadata_dropped));
        }
        Err(Error::conflict(
            format!("{OPERATION}.TransactionIdReused"),
            "this transactionId was used for a different report",
        )
        .with_errors(vec![ErrorDetail::new("body.transactionId", "the report first made under this key").with_value(
            json!({ "reportSeq": self.report_seq, "reportedAt": self.reported_at, "behavior": self.behavior, "value": self.value }),
        )]))
    }
}

async fn stored_state(
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

struct LedgerRow<'a> {
    behavior: Behavior,
    value: f64,
    before: f64,
    after: Counter,
    /// The threshold and overage percent; `None` when unlimited.
    cap: Option<(f64, Option<i16>)>,
    transaction_id: Option<&'a str>,
    properties: Option<&'a serde_json::Value>,
}

/// Everything a report changes, written in one statement.
struct Write<'a> {
    ctx: &'a Context,
    organization_id: Uuid,
    now: DateTime<Utc>,
    window: Option<Window>,
    counter: Option<Counter>,
    report_seq: i64,
    ledger: Option<LedgerRow<'a>>,
    events: &'a [Event],
}

impl Write<'_> {
    async fn execute(&self, uow: &mut Uow) -> Result<(), Error> {
        let sql = format!(
            "WITH counter AS (
                INSERT INTO entitlement_usage (instance_id, entitlement_id, organization_id, value, period_start,
                                               report_seq, updated_at)
                SELECT $1, $2, $3, $4, $5, $6, $7 WHERE $4::jsonb IS NOT NULL
                ON CONFLICT (entitlement_id, instance_id) DO UPDATE
                   SET value = EXCLUDED.value, period_start = EXCLUDED.period_start,
                       report_seq = EXCLUDED.report_seq, updated_at = EXCLUDED.updated_at
             ), ledger AS (
                INSERT INTO usage_ledger (organization_id, instance_id, entitlement_id, license_id, report_seq,
                                          reported_at, window_start, window_end, behavior, aggregation_method,
                                          reported_value, value_before, value_after, event_count_after,
                                          limit_value, overage_percent, transaction_id, properties)
                SELECT $3, $1, $2, $8, $6, $7, $5, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
                 WHERE $10::text IS NOT NULL
             )
             {}",
            outbox_insert_sql(20)
        );
        let ctx = self.ctx;
        let ledger = self.ledger.as_ref();
        let counter = self.counter.map(|c| EntitlementValue::counted(c.value, c.event_count).to_json());
        let query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ctx.instance_id)
            .bind(ctx.entitlement_id)
            .bind(self.organization_id)
            .bind(counter)
            .bind(self.window.map(|w| w.start))
            .bind(self.report_seq)
            .bind(self.now)
            .bind(ctx.license_id)
            .bind(self.window.map(|w| w.end))
            .bind(ledger.map(|l| l.behavior.as_str()))
            .bind(ctx.aggregation_method)
            .bind(ledger.map(|l| l.value))
            .bind(ledger.map(|l| l.before))
            .bind(ledger.map(|l| l.after.value))
            .bind(ledger.map(|l| l.after.event_count))
            .bind(ledger.and_then(|l| l.cap).map(|c| c.0))
            .bind(ledger.map(|l| l.cap.map_or(-1, |c| c.1.unwrap_or(0))))
            .bind(ledger.and_then(|l| l.transaction_id))
            .bind(ledger.and_then(|l| l.properties));
        bind_events(query, self.organization_id, self.events).execute(uow.conn()).await.map_err(|err| {
            // The instance was deleted while this report waited for its pair.
            if kaiten_kernel::error::is_constraint(&err, "entitlement_usage_instance_fkey") {
                context::context_not_found(&ctx.instance_id.to_string(), &ctx.entitlement_slug)
            } else {
                err.into()
            }
        })?;
        Ok(())
    }
}
