//! Components: the versioned pieces of software a vendor ships. A component a release links
//! is frozen: updating it creates its next version instead.
//!
//! | method | path                            | file      |
//! | ------ | ------------------------------- | --------- |
//! | GET    | /api/components                 | list.rs   |
//! | POST   | /api/components                 | create.rs |
//! | GET    | /api/components/{componentSlug} | get.rs    |
//! | PUT    | /api/components/{componentSlug} | update.rs |
//! | DELETE | /api/components/{componentSlug} | delete.rs |

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

crate::module_router!(
    needs [],
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
);
