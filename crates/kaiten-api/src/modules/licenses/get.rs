use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};

use super::repository;
use super::schema::License;
use crate::auth::layer::Caller;
use crate::state::AppState;

/// Get a license by slug
///
/// Retrieve a license by their unique slug
#[utoipa::path(
    get, path = "/licenses/{licenseSlug}", operation_id = "get-license", tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License slug", example = "license-slug")),
    responses((status = 200, description = "OK", body = License), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:licenses"]))
)]
pub async fn endpoint(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<License>, Error> {
    let mut conn = state.pool.acquire().await?;
    let row =
        repository::row(&mut conn, caller.organization_id()?, &slug, "GetLicense.NotFound", RowLock::None).await?;
    Ok(Json(row.into()))
}
