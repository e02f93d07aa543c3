//! Resolving `(instance slug, entitlement slug)` to what a report or a read needs: the ids, the
//! entitlement's folding and reset rules, the instance's license and what it grants.

use chrono::{DateTime, Utc};
use kaiten_kernel::Error;
use sqlx::PgConnection;
use uuid::Uuid;

use super::fold::Cap;
use crate::modules::entitlements::kinds::{AggregationMethod, EntitlementType, ResetAnchor, ResetPeriod};
use crate::modules::entitlements::period::Schedule;
use crate::modules::entitlements::value::EntitlementValue;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Context {
    pub instance_id: Uuid,
    pub start_license_date: DateTime<Utc>,
    pub license_id: Uuid,
    pub license_slug: String,
    pub entitlement_id: Uuid,
    pub entitlement_slug: String,
    pub r#type: EntitlementType,
    pub aggregation_method: Option<AggregationMethod>,
    pub reset_period: Option<ResetPeriod>,
    pub reset_anchor: Option<ResetAnchor>,
    pub warning_threshold_percent: i16,
    pub grant_value: Option<serde_json::Value>,
    pub overage_percent: Option<i16>,
}

impl Context {
    pub fn schedule(&self) -> Option<Schedule> {
        Schedule::of(self.r#type, self.reset_period, self.reset_anchor, self.start_license_date)
    }

    pub fn grant(&self) -> Option<EntitlementValue> {
        self.grant_value.as_ref().and_then(EntitlementValue::from_stored)
    }

    /// The cap of a numeric grant: its value, and the overage (-1, none, for unlimited).
    pub fn cap(&self) -> Option<Cap> {
        let threshold = self.grant()?.as_number()?;
        Some(Cap { threshold, overage_percent: f64::from(self.overage_percent.unwrap_or(0)) })
    }
}

pub fn context_not_found(instance: &str, entitlement: &str) -> Error {
    Error::not_found(
        "ReportEntitlementUsageMetric.ContextNotFound",
        format!("instance {instance} has no entitlement {entitlement} granted"),
    )
}

/// The columns of a [`Context`], over `instance i`, `license l`, `entitlement e` and the grant
/// `ee` (the instance's effective entitlement).
pub const COLUMNS: &str = "i.id AS instance_id, i.start_license_date, i.license_id, l.slug AS license_slug,
        e.id AS entitlement_id, e.slug AS entitlement_slug, e.type, e.aggregation_method, e.reset_period,
        e.reset_anchor, e.warning_threshold_percent, ee.value AS grant_value, ee.overage_percent";

/// The joins that resolve `$1` organization, `$2` instance slug and `$3` entitlement slug to a
/// granted entitlement. The hot path reads the grant itself: it is what the effective view (v1)
/// resolves to, without joining instance and entitlement a second time.
pub const FROM_GRANTED: &str = "FROM instance i
           JOIN license l ON l.id = i.license_id AND l.organization_id = i.organization_id
           JOIN entitlement e ON e.organization_id = i.organization_id AND e.slug = $3
           JOIN (SELECT license_id, entitlement_id, value, limit_cap_exceeded_overage_percent AS overage_percent
                   FROM license_entitlement) ee ON ee.license_id = i.license_id AND ee.entitlement_id = e.id";

pub const WHERE_SLUGS: &str = "WHERE i.organization_id = $1 AND i.slug = $2";

/// The context of a granted entitlement, or the 404 when the instance or the entitlement is
/// unknown or the instance's license does not grant it.
pub async fn resolve(
    conn: &mut PgConnection,
    organization_id: Uuid,
    instance_slug: &str,
    entitlement_slug: &str,
    not_found: impl FnOnce() -> Error,
) -> Result<Context, Error> {
    let context: Option<Context> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {FROM_GRANTED} {WHERE_SLUGS}")))
            .bind(organization_id)
            .bind(instance_slug)
            .bind(entitlement_slug)
            .fetch_optional(conn)
            .await?;
    context.ok_or_else(not_found)
}
