//! Integration tests: the real API over HTTP against real PostgreSQL, one database per test.

mod auth;
mod conventions;
mod customers;
mod jwks;
mod platform;
mod service_accounts;
