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

/// Delete a user
///
/// A soft delete: the user can no longer log in anywhere, and their credentials stop working
/// at once. `system:kaiten` cannot be deleted.
#[utoipa::path(
    delete, path = "/platform/users/{id}", operation_id = "delete-user", tag = "users",
    params(("id" = String, Path)),
    responses((status = 204, description = "No Content"), (status = 404, description = "Not Found")),
    security(("platformAuth" = ["delete:users"]))
)]
pub async fn delete(
    State(pool): State<PgPool>,
    State(auth): State<Arc<Authenticator>>,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    let user_id = path::uuid(&id, "id")?;
    if user_id == SYSTEM_USER_ID {
        return Err(Error::forbidden("DeleteUser.SystemProtected", "system:kaiten cannot be deleted"));
    }
    let mut uow = Uow::begin(&pool).await?;
    if !soft_delete(uow.conn(), user_id).await? {
        return Err(Error::not_found("DeleteUser.NotFound", format!("user {user_id} not found")));
    }
    uow.commit().await?;
    auth.evict_everything();
    Ok(StatusCode::NO_CONTENT)
}

/// Soft-deletes a user, and queues the invalidation of every replica's authentication caches
/// in the same transaction. Whether the user exists; the caller evicts its own caches after
/// the commit. Also applies Clerk's `user.deleted`.
pub(crate) async fn soft_delete(conn: &mut PgConnection, user_id: Uuid) -> Result<bool, Error> {
    let found = sqlx::query("UPDATE users SET deleted_at = COALESCE(deleted_at, now()) WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(invalidation::everything_if_changed(conn, found).await?)
}
