//! Identity: service accounts (machine users of one organization) and their `ksh_` tokens,
//! plus the token store the Platform API and the CLI mint through.
//!
//! | method | path                                                          | file                       |
//! | ------ | ------------------------------------------------------------- | -------------------------- |
//! | GET    | /api/service-accounts                                         | service_accounts/list.rs   |
//! | POST   | /api/service-accounts                                         | service_accounts/create.rs |
//! | GET    | /api/service-accounts/{serviceAccountSlug}                    | service_accounts/get.rs    |
//! | PUT    | /api/service-accounts/{serviceAccountSlug}                    | service_accounts/update.rs |
//! | GET    | /api/service-accounts/{serviceAccountSlug}/tokens             | tokens/list.rs             |
//! | POST   | /api/service-accounts/{serviceAccountSlug}/tokens             | tokens/create.rs           |
//! | DELETE | /api/service-accounts/{serviceAccountSlug}/tokens/{tokenSlug} | tokens/delete.rs           |

pub mod schema;
mod service_accounts;
pub mod tokens;
pub mod validate;

use std::sync::Arc;

use crate::auth::Authenticator;

crate::module_router!(
    needs [Arc<Authenticator>],
    service_accounts::router()
        .merge(tokens::router())
);
