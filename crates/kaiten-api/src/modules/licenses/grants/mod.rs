//! Grants: the value each license version gives each entitlement, checked against the
//! entitlement's type, with the overage that sets the usage cap.

mod associate;
mod checked;
mod delete;
mod get;
mod list;
pub mod overage;
pub mod repository;
pub mod schema;
mod update;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

crate::module_router!(
    needs [],
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, associate::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
);
