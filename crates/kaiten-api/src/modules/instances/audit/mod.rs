//! An instance's audit trail: its events, newest first, filtered by name and time. The queries,
//! shared with GraphQL (which also lists the organization's), are in `repository`.

pub mod repository;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use kaiten_kernel::{Error, ErrorDetail, Page, RowLock};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use self::repository::TrailFilter;
use super::repository as instances;
use crate::auth::layer::Caller;
use crate::http::page_query::PageQuery;
use crate::http::query;

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
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    PageQuery(page): PageQuery,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<AuditTrail>>, Error> {
    let organization_id = caller.organization_id()?;
    let raw = raw.as_deref();
    let filter = TrailFilter {
        event_name: query::param(raw, "event_name"),
        after: instant(raw, "after")?,
        before: instant(raw, "before")?,
    };
    let mut conn = pool.acquire().await?;
    let instance =
        instances::row(&mut conn, organization_id, &slug, "GetAuditTrails.InstanceNotFound", RowLock::None).await?;
    Ok(Json(repository::of_instance(&mut conn, organization_id, instance.id, &filter, &page).await?))
}
