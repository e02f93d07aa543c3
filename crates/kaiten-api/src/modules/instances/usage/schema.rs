use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::entitlements::value::EntitlementValue;

/// Where one entitlement of an instance stands: what is used against what is granted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitlementUsage {
    /// Unique identifier for the entitlement
    #[schema(value_type = String)]
    pub entitlement_id: Uuid,
    /// URL-friendly identifier of the entitlement
    pub entitlement_slug: String,
    /// Unique identifier for the license to which this entitlement usage belongs
    #[schema(value_type = String)]
    pub license_id: Uuid,
    /// URL-friendly identifier of the license
    pub license_slug: String,
    /// Resolved entitlement value, discriminated by the 'type' field
    pub value: EntitlementValue,
    /// License grant this usage is measured against, discriminated by the 'type' field
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub limit: Option<EntitlementValue>,
    /// Start of the current usage window (inclusive). Absent for a lifetime entitlement.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_period_start: Option<DateTime<Utc>>,
    /// End of the current usage window (exclusive). Absent for a lifetime entitlement.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_period_end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Behavior {
    Append,
    Set,
}

impl Behavior {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Append => "append",
            Self::Set => "set",
        }
    }
}

/// A usage report.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportEntitlementUsageBody {
    /// Reported entitlement value, discriminated by the 'type' field. Usage reporting accepts the number
    /// variant only.
    #[schema(value_type = EntitlementValue)]
    pub value: serde_json::Value,
    /// Report behavior: append folds the value into the stored total through the aggregation method; set
    /// overwrites it. Defaults to append.
    #[schema(inline, nullable = false)]
    pub behavior: Option<Behavior>,
    /// Optional metadata for the usage report
    #[schema(nullable = false, required = false, value_type = Object, additional_properties)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

impl RequestSchema for ReportEntitlementUsageBody {
    const SCHEMA: &'static str = "ReportEntitlementUsageBody";
}

/// `ENTITLEMENT_USAGE_REPORT_ACCEPTED` and `…_REJECTED`.
#[derive(Debug, Clone, Serialize)]
pub struct ReportOutcome<'a> {
    pub entitlement_slug: &'a str,
    pub value: f64,
    pub behavior: &'static str,
    pub event_count: i64,
    pub status: &'static str,
}

/// `INSTANCE_ENTITLEMENT_CAP_EXCEEDED`
#[derive(Debug, Clone, Serialize)]
pub struct CapExceeded<'a> {
    pub entitlement_slug: &'a str,
    pub threshold: f64,
    pub value: f64,
    pub overage: f64,
}

/// `INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED`
#[derive(Debug, Clone, Serialize)]
pub struct WarningThresholdReached<'a> {
    pub entitlement_slug: &'a str,
    pub threshold: f64,
    pub boundary: f64,
    pub value: f64,
}

/// `ENTITLEMENT_VALUE_GET`
#[derive(Debug, Clone, Serialize)]
pub struct ValueGet<'a> {
    pub entitlement_id: Uuid,
    pub entitlement_slug: &'a str,
    pub instance_id: Uuid,
    pub license_id: Uuid,
    pub organization_id: Uuid,
    pub r#type: &'static str,
    pub value: &'a EntitlementValue,
    pub timestamp: DateTime<Utc>,
}
