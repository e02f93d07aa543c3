//! Feature flags: definitions (CRUD), rule authoring, and evaluation over OFREP from a
//! per-organization cache of compiled flags (`store`), with `__kaiten` facts (`facts`) and an
//! asynchronous evaluation audit (`audit`). Evaluation itself is the pure `kaiten_flags`.
//!
//! | method | path                                 | file                 |
//! | ------ | ------------------------------------ | -------------------- |
//! | GET    | /api/feature-flags                   | list.rs              |
//! | POST   | /api/feature-flags                   | create.rs            |
//! | GET    | /api/feature-flags/targeting/context | targeting/context.rs |
//! | POST   | /api/feature-flags/targeting/lint    | targeting/lint.rs    |
//! | POST   | /api/feature-flags/targeting/test    | targeting/test.rs    |
//! | GET    | /api/feature-flags/{featureFlagSlug} | get.rs               |
//! | PUT    | /api/feature-flags/{featureFlagSlug} | update.rs            |
//! | DELETE | /api/feature-flags/{featureFlagSlug} | delete.rs            |
//! | POST   | /api/ofrep/v1/evaluate/flags         | ofrep/bulk.rs        |
//! | POST   | /api/ofrep/v1/evaluate/flags/{key}   | ofrep/single.rs      |
//! | GET    | /api/openfeature/v0/manifest         | manifest.rs          |

mod audit;
mod create;
mod delete;
pub mod events;
mod facts;
pub mod flag_cache;
mod get;
mod list;
mod manifest;
mod ofrep;
pub mod repository;
pub mod runtime;
pub mod schema;
mod targeting;
mod update;
mod validate;

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use runtime::FlagRuntime;

crate::module_router!(
    needs [Arc<FlagRuntime>],
    OpenApiRouter::new() .routes(routes!(list::endpoint, create::endpoint)) .routes(routes!(targeting::context::endpoint)) .routes(routes!(targeting::lint::endpoint)) .routes(routes!(targeting::test::endpoint)) .routes(routes!(get::endpoint, update::endpoint, delete::endpoint)) .routes(routes!(ofrep::bulk::endpoint)) .routes(routes!(ofrep::single::endpoint)) .routes(routes!(manifest::endpoint))
);
