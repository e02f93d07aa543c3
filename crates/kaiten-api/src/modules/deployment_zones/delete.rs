use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::{events, repository};
use crate::auth::layer::Caller;

/// Delete a deployment zone
///
/// Delete a deployment zone by their slug.
#[utoipa::path(
    delete, path = "/deployment-zones/{deploymentZoneSlug}", operation_id = "delete-deployment-zone",
    tag = "deploymentZones",
    params(("deploymentZoneSlug" = String, Path)),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:deployment_zones"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let zone =
        repository::find(uow.conn(), organization_id, &slug, "DeleteDeploymentZone.NotFound", RowLock::Delete).await?;
    // Its deployment log goes with it; its instances stay, no longer in any zone.
    kaiten_kernel::scoped::delete(uow.conn(), "deployment_zone", organization_id, zone.id).await?;
    uow.record(organization_id, events::DELETED.with(&zone)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
