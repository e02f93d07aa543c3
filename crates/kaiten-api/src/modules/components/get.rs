use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::Component;
use crate::auth::layer::Caller;

/// Get a component by slug
///
/// Returns a single component by its slug.
#[utoipa::path(
    get, path = "/components/{componentSlug}", operation_id = "get-component", tag = "components",
    params(("componentSlug" = String, Path, description = "Component slug")),
    responses((status = 200, description = "OK", body = Component), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:components"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<Component>, Error> {
    let mut conn = pool.acquire().await?;
    Ok(Json(repository::find(&mut conn, caller.organization_id()?, &slug, RowLock::None).await?))
}
