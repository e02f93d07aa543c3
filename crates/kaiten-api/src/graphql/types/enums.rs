//! The reference schema's enums, mirrored from the REST enums (values SCREAMING_SNAKE_CASE).

use async_graphql::Enum;

use crate::modules::entitlements::kinds;
use crate::modules::instances::schema as instances;
use crate::modules::licenses::schema as licenses;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "InstanceStatus", remote = "instances::InstanceStatus")]
pub enum InstanceStatus {
    Healthy,
    Degraded,
    Incident,
    Maintenance,
}

/// License type enumeration
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "LicenseType", remote = "licenses::LicenseType")]
pub enum LicenseType {
    Development,
    Trial,
    Paid,
    Community,
}

/// Whether a version of a license may be served.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "LicenseLifecycleState", remote = "licenses::LifecycleState")]
pub enum LicenseLifecycleState {
    Draft,
    Published,
    Archived,
}

/// Entitlement type enumeration
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EntitlementType", remote = "kinds::EntitlementType")]
pub enum EntitlementType {
    Boolean,
    Number,
    Config,
    NumberAiCredit,
}

/// Cadence at which usage automatically resets for a NUMBER entitlement.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EntitlementResetPeriod", remote = "kinds::ResetPeriod")]
pub enum EntitlementResetPeriod {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// Phase of a periodic usage window: CALENDAR (UTC calendar-aligned) or LICENSE_START (phased
/// off the instance's license start date).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EntitlementResetAnchor", remote = "kinds::ResetAnchor")]
pub enum EntitlementResetAnchor {
    Calendar,
    LicenseStart,
}
