use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{DeploymentZone, DeploymentZoneInput};
use super::{deploy, events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Update a deployment zone
///
/// Update a deployment zone's details. Changing releaseId records a deployment: the zone's current release becomes the new one and the change is appended to its deployment history, including when the new release is one the zone already ran (a rollback). Omitting releaseId, or echoing back the current one, leaves the history untouched.
#[utoipa::path(
    put, path = "/deployment-zones/{deploymentZoneSlug}", operation_id = "update-deploymentZone", tag = "deploymentZones",
    params(("deploymentZoneSlug" = String, Path)),
    request_body = DeploymentZone,
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
    ValidJson(input): ValidJson<DeploymentZoneInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    if input.slug.as_deref().is_some_and(|s| s != slug) {
        return Err(Error::unprocessable_rule(
            "UpdateDeploymentZone.SlugNotRenameable",
            "slug cannot be changed through this endpoint; omit it or send the current slug",
        ));
    }
    let mut uow = Uow::begin(&pool).await?;
    let current =
        repository::find(uow.conn(), organization_id, &slug, "UpdateDeploymentZone.NotFound", RowLock::Update).await?;
    // Only a different release is a deployment; echoing the current one (or leaving it out)
    // is not. A release cannot be taken off a zone.
    let deployed = match &input.release_id {
        Some(id) if Uuid::parse_str(id).ok().is_none_or(|id| Some(id) != current.release_id) => {
            Some(deploy::release(&mut uow, organization_id, id).await?)
        }
        _ => None,
    };
    sqlx::query(
        "UPDATE deployment_zone SET name = $3, type = $4, description = $5, metadata = $6,
                release_id = coalesce($7, release_id), updated_at = now(), updated_by_id = $8
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(current.id)
    .bind(&input.name)
    .bind(&input.zone_type)
    .bind(&input.description)
    .bind(input.metadata())
    .bind(deployed)
    .bind(caller.user_id)
    .execute(uow.conn())
    .await?;
    if let Some(release) = deployed {
        deploy::record(&mut uow, organization_id, current.id, release, caller.user_id).await?;
    }
    let zone = repository::find_by_id(uow.conn(), organization_id, current.id).await?;
    uow.record(organization_id, events::UPDATED.with(&zone)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
