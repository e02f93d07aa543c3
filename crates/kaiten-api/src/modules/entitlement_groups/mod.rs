//! Entitlement groups: named sets of entitlements, read together (e.g. "AI quotas") with the
//! usage of one instance.
//!
//! | method | path                                                                          | file             |
//! | ------ | ----------------------------------------------------------------------------- | ---------------- |
//! | GET    | /api/entitlement-groups                                                       | list.rs          |
//! | POST   | /api/entitlement-groups                                                       | create.rs        |
//! | GET    | /api/entitlement-groups/{entitlementGroupSlug}                                | get.rs           |
//! | PUT    | /api/entitlement-groups/{entitlementGroupSlug}                                | update.rs        |
//! | DELETE | /api/entitlement-groups/{entitlementGroupSlug}                                | delete.rs        |
//! | POST   | /api/entitlement-groups/{entitlementGroupSlug}/entitlements                   | add_member.rs    |
//! | DELETE | /api/entitlement-groups/{entitlementGroupSlug}/entitlements/{entitlementSlug} | remove_member.rs |
//! | GET    | /api/entitlement-groups/{entitlementGroupSlug}/usage                          | usage.rs         |

mod add_member;
mod create;
mod delete;
mod events;
mod get;
mod list;
mod remove_member;
mod repository;
pub mod schema;
mod update;
mod usage;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

crate::module_router!(
    needs [],
    OpenApiRouter::new() .routes(routes!(list::endpoint, create::endpoint)) .routes(routes!(get::endpoint, update::endpoint, delete::endpoint)) .routes(routes!(add_member::endpoint)) .routes(routes!(remove_member::endpoint)) .routes(routes!(usage::endpoint))
);
