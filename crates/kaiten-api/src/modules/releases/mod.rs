//! Releases: immutable sets of component versions, deployed to zones.
//!
//! | method | path                        | file      |
//! | ------ | --------------------------- | --------- |
//! | GET    | /api/releases               | list.rs   |
//! | POST   | /api/releases               | create.rs |
//! | GET    | /api/releases/{releaseSlug} | get.rs    |
//! | DELETE | /api/releases/{releaseSlug} | delete.rs |

mod create;
mod delete;
mod events;
mod get;
mod list;
pub mod repository;
pub mod schema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

crate::module_router!(
    needs [],
    OpenApiRouter::new() .routes(routes!(list::endpoint, create::endpoint)) .routes(routes!(get::endpoint, delete::endpoint))
);
