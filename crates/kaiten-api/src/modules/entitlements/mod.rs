//! Entitlements: what a license can grant and how its usage is measured. The rules that make
//! a configuration valid live in `settings`; the typed values granted and reported in `value`.
//!
//! | method | path                                | file      |
//! | ------ | ----------------------------------- | --------- |
//! | GET    | /api/entitlements                   | list.rs   |
//! | POST   | /api/entitlements                   | create.rs |
//! | GET    | /api/entitlements/{entitlementSlug} | get.rs    |
//! | PUT    | /api/entitlements/{entitlementSlug} | update.rs |
//! | DELETE | /api/entitlements/{entitlementSlug} | delete.rs |

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

crate::module_router!(
    needs [],
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
);
