//! Service-account tokens (`ksh_`), and the store every kind of token is written through.

mod create;
mod delete;
mod list;
pub mod repository;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list::endpoint, create::endpoint)).routes(routes!(delete::endpoint))
}
