use axum::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;
use uuid::Uuid;

use super::repository;
use super::schema::EntitlementGroupUsage;
use crate::auth::layer::Caller;
use crate::http::query;
use crate::modules::entitlements::kinds::{EntitlementType, ResetAnchor, ResetPeriod};
use crate::modules::entitlements::period::{Schedule, counted_now};
use crate::modules::entitlements::value::EntitlementValue;

/// Documentation of the one query parameter.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct UsageParams {
    /// Instance slug to get usage for
    #[param(explode = false)]
    instance: String,
}

/// Get aggregated usage for an entitlement group
///
/// Retrieve the aggregated usage metrics of all member entitlements for a given instance: one
/// row per member, with what the instance's license grants and what it has used in the
/// current window.
#[utoipa::path(
    get, path = "/entitlement-groups/{entitlementGroupSlug}/usage", operation_id = "get-entitlement-group-usage",
    tag = "entitlement-groups",
    params(("entitlementGroupSlug" = String, Path), UsageParams),
    responses(
        (status = 200, description = "OK", body = Option<Vec<EntitlementGroupUsage>>),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(group_slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<EntitlementGroupUsage>>, Error> {
    let organization_id = caller.organization_id()?;
    let instance_slug = query::required(raw.as_deref(), "instance")?;
    let mut conn = pool.acquire().await?;
    let group = repository::find(
        &mut conn,
        organization_id,
        &group_slug,
        "GetEntitlementGroupUsage.GroupNotFound",
        RowLock::None,
    )
    .await?;
    let instance: Option<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, license_id, start_license_date, date_trunc('milliseconds', clock_timestamp())
           FROM instance WHERE organization_id = $1 AND slug = $2",
    )
    .bind(organization_id)
    .bind(&instance_slug)
    .fetch_optional(&mut *conn)
    .await?;
    let (instance_id, license_id, license_start, now) = instance.ok_or_else(|| {
        Error::not_found("GetEntitlementGroupUsage.InstanceNotFound", format!("instance {instance_slug} not found"))
    })?;
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT e.id, e.slug, e.name, e.type, e.reset_period, e.reset_anchor,
                le.value AS license_value, u.value AS usage_value, u.period_start
           FROM entitlement_group_membership m
           JOIN entitlement e ON e.id = m.entitlement_id AND e.organization_id = m.organization_id
           LEFT JOIN license_entitlement le
                  ON le.organization_id = m.organization_id AND le.license_id = $3 AND le.entitlement_id = e.id
           LEFT JOIN entitlement_usage u
                  ON u.organization_id = m.organization_id AND u.instance_id = $4 AND u.entitlement_id = e.id
          WHERE m.organization_id = $1 AND m.group_id = $2
          ORDER BY e.display_order, e.slug",
    )
    .bind(organization_id)
    .bind(group.id)
    .bind(license_id)
    .bind(instance_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Json(rows.into_iter().map(|r| r.usage(license_start, now)).collect()))
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: Uuid,
    slug: String,
    name: String,
    r#type: EntitlementType,
    reset_period: Option<ResetPeriod>,
    reset_anchor: Option<ResetAnchor>,
    license_value: Option<serde_json::Value>,
    usage_value: Option<serde_json::Value>,
    period_start: Option<DateTime<Utc>>,
}

impl MemberRow {
    fn usage(self, license_start: DateTime<Utc>, now: DateTime<Utc>) -> EntitlementGroupUsage {
        let schedule = Schedule::of(self.r#type, self.reset_period, self.reset_anchor, license_start);
        let (window, usage_value) = counted_now(schedule, now, self.usage_value.as_ref(), self.period_start);
        EntitlementGroupUsage {
            entitlement_id: self.id,
            entitlement_slug: self.slug,
            entitlement_name: self.name,
            entitlement_type: self.r#type.as_str().to_owned(),
            license_value: self.license_value.as_ref().and_then(EntitlementValue::from_stored),
            usage_value,
            current_period_start: window.map(|w| w.start),
            current_period_end: window.map(|w| w.end),
        }
    }
}
