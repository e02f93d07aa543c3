//! The Platform API: operations of the platform identity `system:kaiten`, which has no
//! organization of its own and names the one it acts on in the path.
//!
//! | method | path                                                     | file             |
//! | ------ | -------------------------------------------------------- | ---------------- |
//! | GET    | /api/platform/me                                         | me.rs            |
//! | POST   | /api/platform/organizations                              | organizations.rs |
//! | GET    | /api/platform/organizations/{orgId}                      | organizations.rs |
//! | DELETE | /api/platform/organizations/{orgId}                      | organizations.rs |
//! | DELETE | /api/platform/organizations/{orgId}/memberships/{userId} | memberships.rs   |
//! | GET    | /api/platform/organizations/{orgId}/tokens               | tokens.rs        |
//! | POST   | /api/platform/organizations/{orgId}/tokens               | tokens.rs        |
//! | DELETE | /api/platform/organizations/{orgId}/tokens/{tokenSlug}   | tokens.rs        |
//! | DELETE | /api/platform/users/{id}                                 | users.rs         |

pub mod credentials;
pub use kaiten_kernel::go_duration;
mod me;
pub(crate) mod memberships;
pub(crate) mod organizations;
pub mod schema;
mod tokens;
pub(crate) mod users;

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Authenticator;

crate::module_router!(
    needs [Arc<Authenticator>],
    OpenApiRouter::new() .routes(routes!(me::endpoint)) .routes(routes!(organizations::ensure)) .routes(routes!(organizations::get, organizations::delete)) .routes(routes!(memberships::delete)) .routes(routes!(users::delete)) .routes(routes!(tokens::list, tokens::mint)) .routes(routes!(tokens::revoke))
);
