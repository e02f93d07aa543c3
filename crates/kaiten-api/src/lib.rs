//! The Kaiten HTTP surfaces. `app::build` assembles the Core and Platform routers; the business
//! modules under `modules/` are vertical slices, one file per use case.

pub mod app;
pub mod auth;
pub mod graphql;
pub mod http;
pub mod invalidation;
pub mod modules;

pub use app::{Api, ApiConfig, build, core_openapi, platform_openapi};
