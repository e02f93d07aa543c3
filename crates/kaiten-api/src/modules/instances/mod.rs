//! Instances: deployments of the vendor's product for a customer, under one license version,
//! and the usage they report against it.
//!
//! | method | path                                                               | file            |
//! | ------ | ------------------------------------------------------------------ | --------------- |
//! | GET    | /api/instances                                                     | list.rs         |
//! | POST   | /api/instances                                                     | create.rs       |
//! | GET    | /api/instances/{instanceSlug}                                      | get.rs          |
//! | PUT    | /api/instances/{instanceSlug}                                      | update.rs       |
//! | PATCH  | /api/instances/{instanceSlug}                                      | patch.rs        |
//! | DELETE | /api/instances/{instanceSlug}                                      | delete.rs       |
//! | GET    | /api/instances/{instanceSlug}/audit-trails                         | audit/mod.rs    |
//! | GET    | /api/instances/{instanceSlug}/entitlements/usage                   | usage/read.rs   |
//! | GET    | /api/instances/{instanceSlug}/entitlements/{entitlementSlug}/usage | usage/read.rs   |
//! | POST   | /api/instances/{instanceSlug}/entitlements/{entitlementSlug}/usage | usage/report.rs |

pub mod audit;
mod create;
mod delete;
pub mod events;
mod get;
mod list;
mod patch;
pub mod repository;
pub mod schema;
mod update;
pub mod usage;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use usage::config::UsageConfig;

crate::module_router!(
    needs[UsageConfig],
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, patch::endpoint, delete::endpoint))
        .routes(routes!(audit::endpoint))
        .routes(routes!(usage::read::all))
        .routes(routes!(usage::read::one, usage::report::endpoint))
);
