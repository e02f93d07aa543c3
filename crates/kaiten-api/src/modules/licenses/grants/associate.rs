use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, ErrorDetail, RowLock, Uow};
use sqlx::PgPool;
use uuid::Uuid;

use super::checked::check;
use super::repository;
use super::schema::{LicenseEntitlement, LicenseEntitlementInput};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::licenses::events;
use crate::modules::{entitlements, licenses};

/// Associate an entitlement with a license
///
/// Associate an entitlement with a license by providing the license slug and entitlement details.
/// The value must match the entitlement's type; for a number, limitCapExceededOveragePercent
/// defaults to -1 for an unlimited (-1) value and to 0 (a hard limit) otherwise.
#[utoipa::path(
    post, path = "/licenses/{licenseSlug}/entitlements", operation_id = "associate-entitlement-with-license",
    tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License slug", example = "license-slug")),
    request_body = LicenseEntitlement,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(license_slug): Path<String>,
    ValidJson(input): ValidJson<LicenseEntitlementInput>,
) -> Result<StatusCode, Error> {
    const OPERATION: &str = "AssociateEntitlementToLicense";
    let organization_id = caller.organization_id()?;
    let Some(entitlement_slug) = input.entitlement_slug.as_deref().filter(|s| !s.is_empty()) else {
        return Err(Error::unprocessable_rule(
            "AssociateEntitlementToLicense.EntitlementSlugRequired",
            "entitlementSlug names the entitlement to grant",
        )
        .with_errors(vec![ErrorDetail::new(
            "body.entitlementSlug",
            "expected required property entitlementSlug to be present",
        )]));
    };
    let mut uow = Uow::begin(&pool).await?;
    let entitlement = entitlements::repository::row(
        uow.conn(),
        organization_id,
        entitlement_slug,
        "AssociateEntitlementToLicense.EntitlementNotFound",
        RowLock::KeyShare,
    )
    .await?;
    let license = licenses::repository::row(
        uow.conn(),
        organization_id,
        &license_slug,
        "AssociateEntitlementToLicense.LicenseNotFound",
        RowLock::KeyShare,
    )
    .await?;
    let grant = check(OPERATION, entitlement.r#type, &input.value, input.limit_cap_exceeded_overage_percent)?;
    let id: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value,
                                          limit_cap_exceeded_overage_percent, created_by_id, updated_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (license_id, entitlement_id) DO NOTHING RETURNING id",
    )
    .bind(organization_id)
    .bind(license.id)
    .bind(entitlement.id)
    .bind(grant.value.to_json())
    .bind(grant.overage_percent)
    .bind(caller.user_id)
    .fetch_optional(uow.conn())
    .await?;
    let id = id.ok_or_else(|| {
        Error::conflict(
            "AssociateEntitlementToLicense.AlreadyAssociated",
            format!("License \"{license_slug}\" already grants \"{entitlement_slug}\"; update the grant instead"),
        )
    })?;
    let created: LicenseEntitlement = repository::by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::GRANT_ASSIGNED.with(&created)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
