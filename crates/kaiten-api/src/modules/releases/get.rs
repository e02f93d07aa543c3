use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::Release;
use crate::auth::layer::Caller;

/// Get a release by slug
///
/// Returns a single release by their slug.
#[utoipa::path(
    get, path = "/releases/{releaseSlug}", operation_id = "get-release-by-slug", tag = "deploymentZones",
    params(("releaseSlug" = String, Path, description = "Release slug")),
    responses((status = 200, description = "OK", body = Release), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:releases"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<Release>, Error> {
    let mut conn = pool.acquire().await?;
    Ok(Json(repository::find(&mut conn, caller.organization_id()?, &slug, "Release.NotFound", RowLock::None).await?))
}
