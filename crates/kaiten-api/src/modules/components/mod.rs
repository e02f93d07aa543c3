//! Components: the versioned pieces of software a vendor ships. A component a release links
//! is frozen: updating it creates its next version instead.

mod create;
mod delete;
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
