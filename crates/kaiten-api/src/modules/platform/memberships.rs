use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::Error;
use kaiten_kernel::Uow;
use kaiten_kernel::principal::SYSTEM_USER_ID;
use sqlx::PgConnection;
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::Authenticator;
use crate::auth::invalidation;
use crate::http::path;
use crate::invalidation::Invalidate;

/// Remove a user from an organization
///
/// A soft delete: the user's next login to this organization is refused, and credentials
/// acting as that member stop working at once. `system:kaiten` cannot be removed.
#[utoipa::path(
    delete, path = "/platform/organizations/{orgId}/memberships/{userId}", operation_id = "delete-membership",
    tag = "organizations",
    params(("orgId" = String, Path), ("userId" = String, Path)),
    responses((status = 204, description = "No Content"), (status = 404, description = "Not Found")),
    security(("platformAuth" = ["delete:memberships"]))
)]
pub async fn delete(
    State(pool): State<PgPool>,
    State(auth): State<Arc<Authenticator>>,
    Path((org, user)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let organization_id = path::uuid(&org, "orgId")?;
    let user_id = path::uuid(&user, "userId")?;
    if user_id == SYSTEM_USER_ID {
        return Err(Error::forbidden(
            "DeleteMembership.SystemProtected",
            "the system:kaiten membership cannot be removed",
        ));
    }
    let mut uow = Uow::begin(&pool).await?;
    if !soft_delete(uow.conn(), organization_id, user_id).await? {
        return Err(Error::not_found("DeleteMembership.NotFound", "no such membership"));
    }
    uow.commit().await?;
    auth.evict_everything();
    Ok(StatusCode::NO_CONTENT)
}

/// Soft-deletes a membership, and queues the invalidation of every replica's authentication
/// caches in the same transaction. Whether the membership exists; the caller evicts its own
/// caches after the commit. Also applies Clerk's `organizationMembership.deleted`.
pub(crate) async fn soft_delete(conn: &mut PgConnection, organization_id: Uuid, user_id: Uuid) -> Result<bool, Error> {
    let found = sqlx::query(
        "UPDATE membership SET deleted_at = COALESCE(deleted_at, now()) WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(organization_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(invalidation::everything_if_changed(conn, found).await?)
}
