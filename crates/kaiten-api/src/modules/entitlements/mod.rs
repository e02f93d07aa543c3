//! Entitlements: what a license can grant and how its usage is measured. The rules that make
//! a configuration valid live in `settings`; the typed values granted and reported in `value`.

mod create;
mod delete;
pub mod events;
mod get;
pub mod kinds;
mod list;
pub mod period;
pub mod repository;
pub mod schema;
pub mod settings;
mod update;
pub mod value;

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
