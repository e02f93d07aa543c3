//! Customers: who bought something. Addressed by a slug unique per organization.
//!
//! | method | path                          | file      |
//! | ------ | ----------------------------- | --------- |
//! | GET    | /api/customers                | list.rs   |
//! | POST   | /api/customers                | create.rs |
//! | GET    | /api/customers/{customerSlug} | get.rs    |
//! | PUT    | /api/customers/{customerSlug} | update.rs |
//! | DELETE | /api/customers/{customerSlug} | delete.rs |

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
