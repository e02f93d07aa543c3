//! The business modules, one folder each, one file per use case.

pub mod customers;
pub mod entitlement_groups;
pub mod entitlements;
pub mod featureflags;
pub mod identity;
pub mod instances;
pub mod integrations;
pub mod licenses;
pub mod platform;
pub mod user_ref;
