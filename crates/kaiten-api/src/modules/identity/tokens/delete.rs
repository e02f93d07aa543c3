use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::repository::{self as store, Owner, RevokeTarget};
use crate::auth::Authenticator;
use crate::auth::layer::Caller;
use crate::invalidation::Invalidate;
use crate::modules::identity::service_accounts::repository as accounts;

/// Revoke a service account's token
///
/// The token stops authenticating at once, on every replica. The record stays, with
/// `revokedAt` and `revokedBy`.
#[utoipa::path(
    delete, path = "/service-accounts/{serviceAccountSlug}/tokens/{tokenSlug}",
    operation_id = "delete-service-account-token", tag = "service-accounts",
    params(("serviceAccountSlug" = String, Path), ("tokenSlug" = String, Path)),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:tokens"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(auth): State<Arc<Authenticator>>,
    Caller(caller): Caller,
    Path((account_slug, token_slug)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let account = accounts::find_id(uow.conn(), organization_id, &account_slug).await?;
    let target = RevokeTarget { organization_id, slug: &token_slug, owner: Owner::User(account) };
    let digest = store::revoke(uow.conn(), target, caller.user_id)
        .await?
        .ok_or_else(|| Error::not_found("DeleteToken.NotFound", format!("token {token_slug} not found")))?;
    uow.commit().await?;
    auth.evict(&digest);
    Ok(StatusCode::NO_CONTENT)
}
