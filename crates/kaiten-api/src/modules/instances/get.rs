use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::Instance;
use crate::auth::layer::Caller;

/// Get an instance by slug
///
/// Retrieve an instance by their unique slug
#[utoipa::path(
    get, path = "/instances/{instanceSlug}", operation_id = "getInstance", tag = "instances",
    params(("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug")),
    responses((status = 200, description = "OK", body = Instance), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:instances"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<Instance>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let row = repository::row(&mut conn, organization_id, &slug, "GetInstance.NotFound", RowLock::None).await?;
    Ok(Json(repository::assemble(&mut conn, organization_id, vec![row]).await?.remove(0)))
}
