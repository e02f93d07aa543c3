//! Deployment zones: where a customer runs a release. Pointing a zone at a release is the
//! deploy, logged append-only (rollbacks included) with who and when.

mod create;
mod delete;
mod deploy;
mod events;
mod get;
mod list;
pub mod repository;
pub mod schema;
mod update;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list::endpoint, create::endpoint)).routes(routes!(
        get::endpoint,
        update::endpoint,
        delete::endpoint
    ))
}
