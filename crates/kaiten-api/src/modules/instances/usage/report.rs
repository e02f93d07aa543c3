use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kaiten_kernel::event::Event;
use kaiten_kernel::{Error, ErrorDetail, Uow};
use serde_json::json;
use sqlx::PgPool;

use super::context::Context;
use super::fold::{Cap, Counter, crossed};
use super::pair::{Previous, lock_pair, stored_state};
use super::rollover::Rollover;
use super::schema::{
    Behavior, CapExceeded, EntitlementUsage, ReportEntitlementUsageBody, ReportOutcome, WarningThresholdReached,
};
use super::write::{LedgerRow, Write};
use crate::auth::layer::Caller;
use crate::http::JsonBody;
use crate::http::schema_validation::SchemaRegistry;
use crate::http::valid_json::validate;
use crate::modules::entitlements::period::Window;
use crate::modules::entitlements::value::EntitlementValue;
use crate::modules::instances::events;
use crate::modules::instances::usage::config::UsageConfig;

pub const OPERATION: &str = "ReportEntitlementUsageMetric";
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
    State(pool): State<PgPool>,
    State(usage): State<UsageConfig>,
    State(schemas): State<Arc<SchemaRegistry>>,
    Caller(caller): Caller,
    Path((instance_slug, entitlement_slug)): Path<(String, String)>,
    JsonBody(mut body): JsonBody,
) -> Result<Response, Error> {
    let organization_id = caller.organization_id()?;
    let transaction_id = take_transaction_id(&mut body)?;
    let report: ReportEntitlementUsageBody = validate(&schemas, body)?;
    let value = reported_number(&report.value)?;
    let behavior = report.behavior.unwrap_or(Behavior::Append);
    let (properties, metadata_dropped) = match report.metadata {
        Some(m) if serde_json::to_vec(&m).map_or(usize::MAX, |b| b.len()) > METADATA_LIMIT => (None, true),
        other => (other.map(serde_json::Value::Object), false),
    };

    let mut uow = Uow::begin(&pool).await?;
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
        _ => stored_state(&mut uow, &ctx, transaction_id.as_deref(), usage.idempotency_window_secs).await?,
    };
    if let Some(previous) = &stored.previous {
        if !previous.is_same_report(behavior, value) {
            return Err(transaction_id_reused(previous));
        }
        return Ok(respond(usage_of(&ctx, previous.after, previous.window), true, metadata_dropped));
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
            let closures = rollover.plan(counter, stored.period_start, usage.max_closures).map_err(|_| {
                Error::unprocessable_rule(
                    format!("{OPERATION}.RolloverLimitExceeded"),
                    format!("more than {} usage windows would close at once", usage.max_closures),
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
        outcome.extend(signals(&ctx, cap, base.value, after.value, &usage));
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

fn transaction_id_reused(previous: &Previous) -> Error {
    let first = json!({"reportSeq": previous.report_seq, "reportedAt": previous.reported_at,
                       "behavior": previous.behavior, "value": previous.value});
    Error::conflict(format!("{OPERATION}.TransactionIdReused"), "this transactionId was used for a different report")
        .with_errors(vec![
            ErrorDetail::new("body.transactionId", "the report first made under this key").with_value(first),
        ])
}

pub fn usage_of(ctx: &Context, counter: Counter, window: Option<Window>) -> EntitlementUsage {
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
fn signals(ctx: &Context, cap: Option<Cap>, before: f64, after: f64, usage: &EntitlementUsage) -> Vec<Event> {
    let mut out = Vec::new();
    let Some(cap) = cap.filter(|c| !c.is_unlimited()) else { return out };
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

pub fn respond(usage: EntitlementUsage, replayed: bool, metadata_dropped: bool) -> Response {
    let mut headers = HeaderMap::new();
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if metadata_dropped {
        headers.insert("kaiten-metadata-dropped", HeaderValue::from_static("too_large"));
    }
    (StatusCode::OK, headers, Json(usage)).into_response()
}
