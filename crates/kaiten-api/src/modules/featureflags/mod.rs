//! Feature flags: definitions (CRUD), rule authoring, and evaluation over OFREP from a
//! per-organization cache of compiled flags (`store`), with `__kaiten` facts (`facts`) and an
//! asynchronous evaluation audit (`audit`). Evaluation itself is the pure `kaiten_flags`.

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

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(targeting::context::endpoint))
        .routes(routes!(targeting::lint::endpoint))
        .routes(routes!(targeting::test::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
        .routes(routes!(ofrep::bulk::endpoint))
        .routes(routes!(ofrep::single::endpoint))
        .routes(routes!(manifest::endpoint))
}
