use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgConnection;
use sqlx::PgPool;
use uuid::Uuid;

use super::context::{self, Context};
use super::schema::{EntitlementUsage, ValueGet};
use crate::auth::layer::Caller;
use crate::modules::entitlements::period::counted_now;
use crate::modules::entitlements::value::EntitlementValue;
use crate::modules::instances::{events, repository};

/// What an instance has of one granted entitlement at `now`: a numeric one's counter in the
/// current window (zero when nothing was reported in it), another's granted value.
fn standing(
    ctx: &Context,
    now: DateTime<Utc>,
    stored: Option<&serde_json::Value>,
    period_start: Option<DateTime<Utc>>,
) -> EntitlementUsage {
    let grant = ctx.grant();
    let (window, counted) = counted_now(ctx.schedule(), now, stored, period_start);
    let shown = if ctx.r#type.is_numeric() { counted } else { grant.clone() };
    let value = shown.unwrap_or_else(|| EntitlementValue::counted(0.0, 0));
    EntitlementUsage {
        entitlement_id: ctx.entitlement_id,
        entitlement_slug: ctx.entitlement_slug.clone(),
        license_id: ctx.license_id,
        license_slug: ctx.license_slug.clone(),
        value,
        limit: grant,
        current_period_start: window.map(|w| w.start),
        current_period_end: window.map(|w| w.end),
    }
}

#[derive(sqlx::FromRow)]
struct CounterRow {
    now: DateTime<Utc>,
    value: Option<serde_json::Value>,
    period_start: Option<DateTime<Utc>>,
}

async fn counter(conn: &mut PgConnection, instance_id: Uuid, entitlement_id: Uuid) -> Result<CounterRow, Error> {
    Ok(sqlx::query_as(
        "SELECT date_trunc('milliseconds', clock_timestamp()) AS now, u.value, u.period_start
           FROM (SELECT 1) one
           LEFT JOIN entitlement_usage u ON u.instance_id = $1 AND u.entitlement_id = $2",
    )
    .bind(instance_id)
    .bind(entitlement_id)
    .fetch_one(conn)
    .await?)
}

/// Get entitlement usage
///
/// Retrieve the usage metrics for a specific entitlement in a given instance. Every read is
/// recorded (`ENTITLEMENT_VALUE_GET`) in the instance's audit trail.
#[utoipa::path(
    get, path = "/instances/{instanceSlug}/entitlements/{entitlementSlug}/usage",
    operation_id = "getEntitlementUsageMetrics", tag = "instances",
    params(
        ("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug"),
        ("entitlementSlug" = String, Path, description = "Entitlement slug", example = "entitlement-slug"),
    ),
    responses(
        (status = 200, description = "OK", body = EntitlementUsage),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:instances"]))
)]
pub async fn one(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((instance_slug, entitlement_slug)): Path<(String, String)>,
) -> Result<Json<EntitlementUsage>, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let ctx = context::resolve(uow.conn(), organization_id, &instance_slug, &entitlement_slug, || {
        Error::not_found(
            "GetEntitlementUsageMetrics.NotFound",
            format!("instance {instance_slug} has no entitlement {entitlement_slug} granted"),
        )
    })
    .await?;
    let row = counter(uow.conn(), ctx.instance_id, ctx.entitlement_id).await?;
    let usage = standing(&ctx, row.now, row.value.as_ref(), row.period_start);
    let read = ValueGet {
        entitlement_id: ctx.entitlement_id,
        entitlement_slug: &ctx.entitlement_slug,
        instance_id: ctx.instance_id,
        license_id: ctx.license_id,
        organization_id,
        r#type: ctx.r#type.as_str(),
        value: &usage.value,
        timestamp: row.now,
    };
    uow.record(organization_id, events::VALUE_GET.with(&read).about_instance(ctx.instance_id).at(row.now)).await?;
    uow.commit().await?;
    Ok(Json(usage))
}

#[derive(sqlx::FromRow)]
struct ListRow {
    #[sqlx(flatten)]
    context: Context,
    now: DateTime<Utc>,
    value: Option<serde_json::Value>,
    period_start: Option<DateTime<Utc>>,
}

/// List entitlement usage
///
/// Retrieve a list of all entitlements usage metrics for a specific instance: one row per
/// entitlement its license grants.
#[utoipa::path(
    get, path = "/instances/{instanceSlug}/entitlements/usage", operation_id = "getEntitlementsUsageMetrics",
    tag = "instances",
    params(("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug")),
    responses(
        (status = 200, description = "OK", body = Option<Vec<EntitlementUsage>>),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:instances"]))
)]
pub async fn all(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(instance_slug): Path<String>,
) -> Result<Json<Vec<EntitlementUsage>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let instance = repository::row(
        &mut conn,
        organization_id,
        &instance_slug,
        "GetEntitlementsUsageMetrics.NotFound",
        RowLock::None,
    )
    .await?;
    let mut of = of_instances(&mut conn, organization_id, &[instance.id]).await?;
    Ok(Json(of.remove(&instance.id).unwrap_or_default().into_iter().map(|g| g.usage).collect()))
}

/// One row of [`of_instances`]: the usage as the REST API renders it, and beside it what GraphQL
/// shows too (the REST `EntitlementUsage` has no such field).
#[derive(Debug, Clone)]
pub struct GrantUsage {
    pub usage: EntitlementUsage,
    /// The grant's `limitCapExceededOveragePercent` (-1 unlimited, 0 a hard limit); None for
    /// BOOLEAN and CONFIG.
    pub overage_percent: Option<i16>,
}

/// A view over the usage reads its fields directly (`grant.entitlement_slug`).
impl std::ops::Deref for GrantUsage {
    type Target = EntitlementUsage;

    fn deref(&self) -> &EntitlementUsage {
        &self.usage
    }
}

/// The usage of every entitlement each instance's license grants, one query for all of them,
/// in display order, each with its grant's overage percent. Reading here records nothing: the
/// audited read is the single-entitlement one.
pub async fn of_instances(
    conn: &mut sqlx::PgConnection,
    organization_id: uuid::Uuid,
    instance_ids: &[uuid::Uuid],
) -> Result<std::collections::HashMap<uuid::Uuid, Vec<GrantUsage>>, Error> {
    let rows: Vec<ListRow> = sqlx::query_as(
        "SELECT i.id AS instance_id, i.start_license_date, i.license_id, l.slug AS license_slug,
                e.id AS entitlement_id, e.slug AS entitlement_slug, e.type, e.aggregation_method, e.reset_period,
                e.reset_anchor, e.warning_threshold_percent, ee.value AS grant_value, ee.overage_percent,
                date_trunc('milliseconds', clock_timestamp()) AS now, u.value, u.period_start
           FROM instance i
           JOIN license l ON l.id = i.license_id AND l.organization_id = i.organization_id
           JOIN instance_effective_entitlement ee ON ee.instance_id = i.id
           JOIN entitlement e ON e.id = ee.entitlement_id
           LEFT JOIN entitlement_usage u ON u.instance_id = i.id AND u.entitlement_id = e.id
          WHERE i.organization_id = $1 AND i.id = ANY($2)
          ORDER BY i.id, e.display_order, e.slug",
    )
    .bind(organization_id)
    .bind(instance_ids)
    .fetch_all(conn)
    .await?;
    let mut by_instance: std::collections::HashMap<uuid::Uuid, Vec<GrantUsage>> = std::collections::HashMap::new();
    for r in &rows {
        let usage = standing(&r.context, r.now, r.value.as_ref(), r.period_start);
        let overage_percent = r.context.overage_percent.filter(|_| r.context.r#type.is_numeric());
        by_instance.entry(r.context.instance_id).or_default().push(GrantUsage { usage, overage_percent });
    }
    Ok(by_instance)
}
