//! The Platform API: operations of the platform identity `system:kaiten`, which has no
//! organization of its own and names the one it acts on in the path.

pub mod credentials;
pub use kaiten_kernel::go_duration;
mod me;
pub(crate) mod memberships;
pub(crate) mod organizations;
pub mod schema;
mod tokens;
pub(crate) mod users;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me::endpoint))
        .routes(routes!(organizations::ensure))
        .routes(routes!(organizations::get, organizations::delete))
        .routes(routes!(memberships::delete))
        .routes(routes!(users::delete))
        .routes(routes!(tokens::list, tokens::mint))
        .routes(routes!(tokens::revoke))
}
