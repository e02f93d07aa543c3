use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::LicenseEntitlement;
use crate::auth::layer::Caller;

/// Get a license entitlement
///
/// Retrieve a entitlement for a license by their unique slugs
#[utoipa::path(
    get, path = "/licenses/{licenseSlug}/entitlements/{entitlementSlug}", operation_id = "get-license-entitlement",
    tag = "licenses",
    params(("licenseSlug" = String, Path), ("entitlementSlug" = String, Path)),
    responses((status = 200, description = "OK", body = LicenseEntitlement), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((license_slug, entitlement_slug)): Path<(String, String)>,
) -> Result<Json<LicenseEntitlement>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let row = repository::row(
        &mut conn,
        organization_id,
        &license_slug,
        &entitlement_slug,
        "GetLicenseEntitlement.NotFound",
        RowLock::None,
    )
    .await?;
    Ok(Json(repository::assemble(&mut conn, organization_id, vec![row]).await?.remove(0)))
}
