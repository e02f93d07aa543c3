//! The business modules, one folder each, one file per use case.

pub mod clerk_webhooks;
pub mod components;
pub mod customers;
pub mod deployment_zones;
pub mod entitlement_groups;
pub mod entitlements;
pub mod featureflags;
pub mod identity;
pub mod instances;
pub mod integration_links;
pub mod integrations;
pub mod licenses;
pub mod platform;
pub mod reference;
pub mod releases;
pub mod user_ref;
pub mod webhook_endpoints;
