use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::OnConstraint;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::{events, repository};
use crate::auth::layer::Caller;

/// Delete a release
///
/// Delete a release by their slug. Since a release is immutable, this plus a fresh create is the only way to change one -- and it discards the deployment history recorded against the old release. A release still deployed to a zone cannot be deleted (409).
#[utoipa::path(
    delete, path = "/releases/{releaseSlug}", operation_id = "delete-release", tag = "releases",
    params(("releaseSlug" = String, Path, description = "Release slug")),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:releases"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let release =
        repository::find(uow.conn(), organization_id, &slug, "DeleteRelease.NotFound", RowLock::Delete).await?;
    // The links and the deployment log go with the release; a zone still running it refuses
    // the delete through its foreign key.
    kaiten_kernel::scoped::delete(uow.conn(), "release", organization_id, release.id).await.on_constraint(
        "deployment_zone_release_fkey",
        || {
            Error::conflict(
                "DeleteRelease.InUseConflict",
                format!("Release with slug {slug:?} is still deployed to a zone and cannot be deleted"),
            )
        },
    )?;
    uow.record(organization_id, events::DELETED.with(&release)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
