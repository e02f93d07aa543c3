use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::Error;

use super::repository;
use super::schema::Entitlement;
use crate::auth::layer::Caller;
use crate::state::AppState;

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
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<Entitlement>, Error> {
    let mut conn = state.pool.acquire().await?;
    Ok(Json(repository::find(&mut conn, caller.organization_id()?, &slug, "GetEntitlement.NotFound").await?))
}
