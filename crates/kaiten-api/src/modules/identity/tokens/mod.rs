//! Service-account tokens (`ksh_`), and the store every kind of token is written through.

mod create;
mod delete;
mod list;
pub mod repository;

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Authenticator;

crate::module_router!(
    needs [Arc<Authenticator>],
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(delete::endpoint))
);
