use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::repository;
use crate::auth::layer::Caller;
use crate::modules::licenses::events;

/// Delete a license entitlement
///
/// Delete a license entitlement with the provided details
#[utoipa::path(
    delete, path = "/licenses/{licenseSlug}/entitlements/{entitlementSlug}", operation_id = "delete-license-entitlement",
    tag = "licenses",
    params(("licenseSlug" = String, Path), ("entitlementSlug" = String, Path)),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((license_slug, entitlement_slug)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let row = repository::row(
        uow.conn(),
        organization_id,
        &license_slug,
        &entitlement_slug,
        "DeleteLicenseEntitlement.LicenseEntitlementNotFound",
        RowLock::Delete,
    )
    .await?;
    let id = row.id;
    let deleted = repository::assemble(uow.conn(), organization_id, vec![row]).await?.remove(0);
    kaiten_kernel::scoped::delete(uow.conn(), "license_entitlement", organization_id, id).await?;
    // The row was read FOR UPDATE: a concurrent delete of the same grant waited, then found
    // nothing and answered 404, so the event is recorded exactly once.
    uow.record(organization_id, events::GRANT_UNASSIGNED.with(&deleted)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
