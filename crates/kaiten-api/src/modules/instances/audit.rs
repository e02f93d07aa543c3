//! An instance's audit trail: its events, newest first, filtered by name and time.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, ErrorDetail, Page, PageRequest, RowLock};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::repository;
use crate::auth::layer::Caller;
use crate::http::query;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditTrail {
    /// Write order, the tie-breaker of events of one instant; kept inside the cursor.
    #[serde(skip)]
    pub seq: i64,
    /// Unique audit trail entry ID
    #[schema(value_type = String)]
    pub id: Uuid,
    /// Instance UUID (present for instance-scoped events)
    #[schema(value_type = String, required = false)]
    pub instance_id: Uuid,
    /// Instance slug
    pub instance_slug: String,
    /// Event name (e.g. ENTITLEMENT_VALUE_GET)
    pub event_name: String,
    /// Event type identifier (e.g. com.kaiten.instance.entitlement.v1.value_get)
    pub event_type: String,
    /// Event payload (JSON)
    #[schema(value_type = Value, required = false)]
    pub payload: serde_json::Value,
    /// When the event occurred
    pub timestamp: DateTime<Utc>,
}

crate::page_schema!(PageAuditTrail, AuditTrail);

/// Documentation of the filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AuditParams {
    /// Filter by exact event name (e.g. ENTITLEMENT_VALUE_GET)
    #[param(explode = false)]
    event_name: Option<String>,
    /// RFC3339 timestamp — include entries with timestamp ≥ this value
    #[param(explode = false)]
    after: Option<String>,
    /// RFC3339 timestamp — include entries with timestamp ≤ this value
    #[param(explode = false)]
    before: Option<String>,
    /// Maximum number of entries to return (default 50, max 200)
    #[param(explode = false, minimum = 1, maximum = 200, format = Int32)]
    limit: Option<i32>,
    /// Opaque pagination cursor from a previous response's nextCursor
    #[param(explode = false)]
    cursor: Option<String>,
}

fn instant(raw: Option<&str>, name: &str) -> Result<Option<DateTime<Utc>>, Error> {
    match query::param(raw, name) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(&v).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
            Error::bad_request("GetAuditTrails.InvalidTimestamp", format!("{name} must be an RFC 3339 timestamp"))
                .with_errors(vec![
                    ErrorDetail::new(format!("query.{name}"), "invalid timestamp")
                        .with_value(serde_json::Value::String(v)),
                ])
        }),
    }
}

/// List an instance's audit trail
///
/// Returns audit trail events for a given instance, optionally filtered by event name and time
/// range. Results are cursor-paginated (default limit: 50, max: 200) — pass the previous
/// response's nextCursor as the cursor parameter to fetch the next page.
#[utoipa::path(
    get, path = "/instances/{instanceSlug}/audit-trails", operation_id = "getAuditTrails", tag = "instances",
    params(("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug"), AuditParams),
    responses(
        (status = 200, description = "OK", body = PageAuditTrail),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:instances"]))
)]
pub async fn endpoint(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<AuditTrail>>, Error> {
    let organization_id = caller.organization_id()?;
    let raw = raw.as_deref();
    let page = PageRequest::parse(query::param(raw, "cursor").as_deref(), query::param(raw, "limit").as_deref())?;
    let (after, before) = (instant(raw, "after")?, instant(raw, "before")?);
    let event_name = query::param(raw, "event_name");
    let mut conn = state.pool.acquire().await?;
    let instance =
        repository::row(&mut conn, organization_id, &slug, "GetAuditTrails.InstanceNotFound", RowLock::None).await?;
    let sql = "SELECT o.seq, o.id, o.instance_id, $3 AS instance_slug, o.event_name, o.event_type, o.data AS payload,
                o.occurred_at AS timestamp
           FROM outbox_events o
          WHERE o.organization_id = $1 AND o.instance_id = $2
            AND ($4::text IS NULL OR o.event_name = $4)
            AND ($5::timestamptz IS NULL OR o.occurred_at >= $5)
            AND ($6::timestamptz IS NULL OR o.occurred_at <= $6)
            AND ($7::timestamptz IS NULL OR (o.occurred_at, o.seq) < ($7, $8))
          ORDER BY o.occurred_at DESC, o.seq DESC LIMIT $9";
    // The opaque cursor carries the write order in its id field.
    let after_seq = page.after.map(|c| i64::try_from(c.id.as_u128()).unwrap_or(i64::MAX));
    let query = sqlx::query_as(sql)
        .bind(organization_id)
        .bind(instance.id)
        .bind(&instance.slug)
        .bind(event_name)
        .bind(after)
        .bind(before)
        .bind(page.after.map(|c| c.created_at))
        .bind(after_seq)
        .bind(page.fetch());
    let rows: Vec<AuditTrail> = query.fetch_all(&mut *conn).await?;
    Ok(Json(Page::from_rows(rows, &page, |a| Cursor {
        created_at: a.timestamp,
        id: Uuid::from_u128(u128::try_from(a.seq).unwrap_or_default()),
    })))
}
