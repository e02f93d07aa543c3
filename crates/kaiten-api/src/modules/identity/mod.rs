//! Identity: service accounts (machine users of one organization) and their `ksh_` tokens,
//! plus the token store the Platform API and the CLI mint through.

pub mod schema;
mod service_accounts;
pub mod tokens;
pub mod validate;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    service_accounts::router().merge(tokens::router())
}
