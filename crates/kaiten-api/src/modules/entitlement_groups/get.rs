use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::EntitlementGroup;
use crate::auth::layer::Caller;

/// Get entitlement group by slug
///
/// Retrieve details of a specific entitlement group by its slug
#[utoipa::path(
    get, path = "/entitlement-groups/{entitlementGroupSlug}", operation_id = "get-entitlement-group",
    tag = "entitlement-groups",
    params(("entitlementGroupSlug" = String, Path)),
    responses((status = 200, description = "OK", body = EntitlementGroup), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<EntitlementGroup>, Error> {
    let mut conn = pool.acquire().await?;
    Ok(Json(
        repository::find(&mut conn, caller.organization_id()?, &slug, "GetEntitlementGroup.NotFound", RowLock::None)
            .await?,
    ))
}
