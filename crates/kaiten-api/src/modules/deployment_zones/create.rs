use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow, slug};
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{DeploymentZone, DeploymentZoneInput};
use super::{deploy, events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Create a new deployment zone
///
/// Create a new deployment zone with the provided details. Supplying releaseId records the zone's first deployment. A deployment zone is one place a customer runs a release -- a target they name and classify themselves, holding the release currently on it. It is not an installation of Kaiten; that sense of the term belongs to operations and is not reachable through this API.
#[utoipa::path(
    post, path = "/deployment-zones", operation_id = "create-deployment-zone", tag = "deploymentZones",
    request_body = DeploymentZone,
    responses(
        (status = 201, description = "Created", body = DeploymentZone),
        (status = 400, description = "Bad Request"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:deployment_zones"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<DeploymentZoneInput>,
) -> Result<(StatusCode, Json<DeploymentZone>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let release = match &input.release_id {
        Some(id) => Some(deploy::release(&mut uow, organization_id, id).await?),
        None => None,
    };
    let metadata = input.metadata();
    let mut claimed: Option<Uuid> = None;
    let mut last = String::new();
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        claimed = sqlx::query_scalar(
            "INSERT INTO deployment_zone (organization_id, name, slug, type, description, metadata, release_id,
                                          created_by_id, updated_by_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(&candidate)
        .bind(&input.zone_type)
        .bind(&input.description)
        .bind(&metadata)
        .bind(release)
        .bind(caller.user_id)
        .fetch_optional(uow.conn())
        .await?;
        if claimed.is_some() {
            break;
        }
        last = candidate;
    }
    let id = claimed.ok_or_else(|| {
        Error::conflict(
            "CreateDeploymentZone.SlugConflict",
            format!("Deployment zone with slug {last:?} already exists in this organization"),
        )
    })?;
    if let Some(release) = release {
        deploy::record(&mut uow, organization_id, id, release, caller.user_id).await?;
    }
    let zone = repository::find_by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::CREATED.with(&zone)).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(zone)))
}
