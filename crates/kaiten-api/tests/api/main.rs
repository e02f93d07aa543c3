//! Integration tests: the real API over HTTP against real PostgreSQL, one database per test.

mod auth;
mod components;
mod conventions;
mod customers;
mod deployment_zones;
mod entitlement_groups;
mod entitlements;
mod flags;
mod grants;
mod graphql;
mod instances;
mod integrations;
mod jwks;
mod jwt;
mod license_versions;
mod licenses;
mod limits;
mod platform;
mod releases;
mod service_accounts;
mod support;
mod usage;
mod usage_load;
mod webhooks;
