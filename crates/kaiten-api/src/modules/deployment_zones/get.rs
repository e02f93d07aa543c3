use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::DeploymentZone;
use crate::auth::layer::Caller;

/// Get a deployment zone by slug
///
/// Returns a single deployment zone by their slug.
#[utoipa::path(
    get, path = "/deployment-zones/{deploymentZoneSlug}", operation_id = "get-deployment-zone-by-slug",
    tag = "deploymentZones",
    params(("deploymentZoneSlug" = String, Path)),
    responses((status = 200, description = "OK", body = DeploymentZone), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:deployment_zones"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<DeploymentZone>, Error> {
    let mut conn = pool.acquire().await?;
    let organization_id = caller.organization_id()?;
    Ok(Json(repository::find(&mut conn, organization_id, &slug, "DeploymentZone.NotFound", RowLock::None).await?))
}
