use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::License;
use crate::auth::layer::Caller;

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
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<License>, Error> {
    let mut conn = pool.acquire().await?;
    let row =
        repository::row(&mut conn, caller.organization_id()?, &slug, "GetLicense.NotFound", RowLock::None).await?;
    Ok(Json(row.into()))
}
