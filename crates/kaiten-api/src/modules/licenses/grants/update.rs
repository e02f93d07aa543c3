use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::checked::check;
use super::repository;
use super::schema::{LicenseEntitlement, LicenseEntitlementInput};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::licenses::events;

/// Update an license entitlement
///
/// Update an license entitlement with the provided details: its value and overage percent. An
/// omitted overage percent goes back to the default the value implies.
#[utoipa::path(
    put, path = "/licenses/{licenseSlug}/entitlements/{entitlementSlug}", operation_id = "update-license-entitlement",
    tag = "licenses",
    params(("licenseSlug" = String, Path), ("entitlementSlug" = String, Path)),
    request_body = LicenseEntitlement,
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
    ValidJson(input): ValidJson<LicenseEntitlementInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    if input.entitlement_slug.as_deref().is_some_and(|s| !s.is_empty() && s != entitlement_slug) {
        return Err(Error::unprocessable_rule(
            "UpdateLicenseEntitlement.EntitlementSlugMismatch",
            "a grant cannot be moved to another entitlement; delete it and associate the other one",
        ));
    }
    let mut uow = Uow::begin(&pool).await?;
    let current = repository::row(
        uow.conn(),
        organization_id,
        &license_slug,
        &entitlement_slug,
        "UpdateLicenseEntitlement.NotFound",
        RowLock::Update,
    )
    .await?;
    let grant = check(
        "UpdateLicenseEntitlement",
        current.entitlement_type,
        &input.value,
        input.limit_cap_exceeded_overage_percent,
    )?;
    sqlx::query(
        "UPDATE license_entitlement SET value = $3, limit_cap_exceeded_overage_percent = $4, updated_by_id = $5,
                updated_at = now()
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(current.id)
    .bind(grant.value.to_json())
    .bind(grant.overage_percent)
    .bind(caller.user_id)
    .execute(uow.conn())
    .await?;
    let updated: LicenseEntitlement = repository::by_id(uow.conn(), organization_id, current.id).await?;
    uow.record(organization_id, events::GRANT_UPDATED.with(&updated)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
