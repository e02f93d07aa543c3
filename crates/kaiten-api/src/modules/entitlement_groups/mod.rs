//! Entitlement groups: named sets of entitlements, read together (e.g. "AI quotas") with the
//! usage of one instance.

mod add_member;
mod create;
mod delete;
mod events;
mod get;
mod list;
mod remove_member;
mod repository;
pub mod schema;
mod update;
mod usage;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
        .routes(routes!(add_member::endpoint))
        .routes(routes!(remove_member::endpoint))
        .routes(routes!(usage::endpoint))
}
