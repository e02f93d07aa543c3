use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::repository;
use super::schema::Entitlement;
use crate::auth::layer::Caller;

/// Get entitlement by slug
///
/// Retrieve details of a specific entitlement by its slug
#[utoipa::path(
    get, path = "/entitlements/{entitlementSlug}", operation_id = "get-entitlement", tag = "entitlements",
    params(("entitlementSlug" = String, Path)),
    responses((status = 200, description = "OK", body = Entitlement), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<Entitlement>, Error> {
    let mut conn = pool.acquire().await?;
    Ok(Json(repository::find(&mut conn, caller.organization_id()?, &slug, "GetEntitlement.NotFound").await?))
}
