use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::repository;
use super::schema::FeatureFlag;
use crate::auth::layer::Caller;

/// Get a feature flag by slug
///
/// Get a feature flag with the provided slug
#[utoipa::path(
    get, path = "/feature-flags/{featureFlagSlug}", operation_id = "get-feature-flag", tag = "featureflags",
    params(("featureFlagSlug" = String, Path)),
    responses((status = 200, description = "OK", body = FeatureFlag), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<FeatureFlag>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let row = repository::find(&mut conn, organization_id, &slug)
        .await?
        .ok_or_else(|| repository::not_found("GetFeatureFlag.NotFound", &slug))?;
    Ok(Json(row.into_dto()?))
}
