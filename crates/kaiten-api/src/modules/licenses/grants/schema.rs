use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::entitlements::kinds::EntitlementType;
use crate::modules::entitlements::schema::EntitlementGroupSummary;
use crate::modules::entitlements::value::EntitlementValue;
use crate::modules::user_ref::UserRef;

/// A grant: the value one license version gives one entitlement.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LicenseEntitlement {
    /// URL-friendly identifier for the entitlement
    #[schema(required = false, examples("premium-support"))]
    pub entitlement_slug: String,
    /// Name of the entitlement feature or service
    #[schema(read_only)]
    pub entitlement_name: String,
    /// Type of entitlement (BOOLEAN, NUMBER, or CONFIG)
    #[serde(serialize_with = "contract_entitlement_type")]
    #[schema(schema_with = entitlement_type_schema, required = false)]
    pub entitlement_type: EntitlementType,
    /// Unique identifier for the license this entitlement belongs to
    #[schema(read_only, value_type = String)]
    pub license_id: Uuid,
    /// URL-friendly identifier for the license this entitlement belongs to
    #[schema(read_only)]
    pub license_slug: String,
    /// Typed entitlement value. Supported shapes: {type:number,value:number}, {type:boolean,value:boolean},
    /// {type:object,value:{...}}
    pub value: EntitlementValue,
    /// -1 when the value is unlimited; otherwise 0 rejects usage above the value (hard limit) and a positive
    /// percentage allows usage to exceed it by that much before being rejected (soft limit). Absent for
    /// non-numeric (BOOLEAN/CONFIG) grants.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = Int32)]
    pub limit_cap_exceeded_overage_percent: Option<i32>,
    /// Groups associated with this entitlement
    #[schema(read_only, required = false)]
    pub entitlement_groups: Option<Vec<EntitlementGroupSummary>>,
    /// User who created this entitlement
    #[schema(read_only)]
    pub created_by: UserRef,
    /// Timestamp when this entitlement was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// User who last updated this entitlement
    #[schema(read_only)]
    pub updated_by: UserRef,
    /// Timestamp when this entitlement was last updated
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
}

/// The contract's enum for the field. It has no NUMBER_AI_CREDIT, and the contract wins over the
/// original (which sent it anyway): REST reports such a grant as the NUMBER it is measured as.
/// The entitlement itself, and GraphQL's `String!` field, keep the real type.
fn contract_entitlement_type<S: serde::Serializer>(kind: &EntitlementType, out: S) -> Result<S::Ok, S::Error> {
    let wire = match kind {
        EntitlementType::NumberAiCredit => EntitlementType::Number,
        other => *other,
    };
    out.serialize_str(wire.as_str())
}

fn entitlement_type_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["BOOLEAN", "NUMBER", "CONFIG"]))
        .description(Some("Type of entitlement (BOOLEAN, NUMBER, or CONFIG)"))
        .read_only(true)
        .build()
}

crate::page_schema!(PageLicenseEntitlement, LicenseEntitlement);

/// The body of associate and update, validated against `LicenseEntitlement` first; the value is
/// then checked against the entitlement's type.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseEntitlementInput {
    pub entitlement_slug: Option<String>,
    pub value: serde_json::Value,
    pub limit_cap_exceeded_overage_percent: Option<i64>,
}

impl RequestSchema for LicenseEntitlementInput {
    const SCHEMA: &'static str = "LicenseEntitlement";
}
