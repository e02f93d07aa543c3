//! Service accounts: machine users of one organization, which hold `ksh_` tokens.

mod create;
mod get;
mod list;
pub mod repository;
mod update;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

crate::module_router!(
    needs [],
    OpenApiRouter::new() .routes(routes!(list::endpoint, create::endpoint)) .routes(routes!(get::endpoint, update::endpoint))
);
