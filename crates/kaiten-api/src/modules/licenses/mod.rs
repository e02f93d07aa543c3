//! Licenses: versioned plans. A family is the product (its slug is the stable address); each
//! license row is one version of it, DRAFT → PUBLISHED → ARCHIVED, numbered by the server.
//!
//! | method | path                                                       | file                |
//! | ------ | ---------------------------------------------------------- | ------------------- |
//! | GET    | /api/license-families                                      | families/list.rs    |
//! | GET    | /api/license-families/{familySlug}                         | families/get.rs     |
//! | GET    | /api/licenses                                              | list.rs             |
//! | POST   | /api/licenses                                              | create.rs           |
//! | GET    | /api/licenses/{licenseSlug}                                | get.rs              |
//! | PUT    | /api/licenses/{licenseSlug}                                | update.rs           |
//! | DELETE | /api/licenses/{licenseSlug}                                | delete.rs           |
//! | POST   | /api/licenses/{licenseSlug}/archive                        | lifecycle.rs        |
//! | GET    | /api/licenses/{licenseSlug}/entitlements                   | grants/list.rs      |
//! | POST   | /api/licenses/{licenseSlug}/entitlements                   | grants/associate.rs |
//! | GET    | /api/licenses/{licenseSlug}/entitlements/{entitlementSlug} | grants/get.rs       |
//! | PUT    | /api/licenses/{licenseSlug}/entitlements/{entitlementSlug} | grants/update.rs    |
//! | DELETE | /api/licenses/{licenseSlug}/entitlements/{entitlementSlug} | grants/delete.rs    |
//! | POST   | /api/licenses/{licenseSlug}/publish                        | lifecycle.rs        |
//! | POST   | /api/licenses/{licenseSlug}/unarchive                      | lifecycle.rs        |

mod create;
mod delete;
pub mod events;
pub mod families;
mod get;
pub mod grants;
mod lifecycle;
mod list;
pub mod repository;
pub mod schema;
mod update;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

crate::module_router!(
    needs [],
    OpenApiRouter::new() .routes(routes!(list::endpoint, create::endpoint)) .routes(routes!(get::endpoint, update::endpoint, delete::endpoint)) .routes(routes!(lifecycle::publish)) .routes(routes!(lifecycle::archive)) .routes(routes!(lifecycle::unarchive)) .routes(routes!(families::list::endpoint)) .routes(routes!(families::get::endpoint)) .merge(grants::router())
);
