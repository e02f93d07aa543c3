//! Deployment zones: where a customer runs a release. Pointing a zone at a release is the
//! deploy, logged append-only (rollbacks included) with who and when.
//!
//! | method | path                                       | file      |
//! | ------ | ------------------------------------------ | --------- |
//! | GET    | /api/deployment-zones                      | list.rs   |
//! | POST   | /api/deployment-zones                      | create.rs |
//! | GET    | /api/deployment-zones/{deploymentZoneSlug} | get.rs    |
//! | PUT    | /api/deployment-zones/{deploymentZoneSlug} | update.rs |
//! | DELETE | /api/deployment-zones/{deploymentZoneSlug} | delete.rs |

mod create;
mod delete;
mod deploy;
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
