use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::events;
use super::families::repository::{self as family, Served};
use super::repository::{self, LicenseRow};
use super::schema::{License, LicenseInput, LifecycleState};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Update a license
///
/// Update a license with the provided details: name, description, type, versionName and
/// isDefault. Slug, version, family and lifecycle state may be sent back as stored, never
/// changed here. Setting isDefault takes the flag from the family's previous default.
#[utoipa::path(
    put, path = "/licenses/{licenseSlug}", operation_id = "update-license", tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License slug", example = "license-slug")),
    request_body = License,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ValidJson(input): ValidJson<LicenseInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    if input.slug.as_deref().is_some_and(|s| s != slug) {
        return Err(Error::unprocessable_rule("UpdateLicense.SlugNotRenameable", "a license's slug cannot be changed"));
    }
    if input.family_slug.is_some() {
        return Err(not_reassignable());
    }
    let mut uow = Uow::begin(&pool).await?;
    let (family, current) =
        family::lock_version(uow.conn(), organization_id, &slug, "UpdateLicense.NotFound", RowLock::Update).await?;
    check_unchangeable(&current, &input)?;
    if input.is_default && current.lifecycle_state != LifecycleState::Published {
        return Err(Error::conflict(
            "UpdateLicense.DefaultMustBePublished",
            "only a PUBLISHED version can be its family's default; publish or unarchive it first",
        ));
    }
    let served = Served::before(uow.conn(), organization_id, family.id).await?;
    if input.is_default {
        family::take_default(&mut uow, organization_id, family.id, Some(current.id)).await?;
    }
    let version_name = input.version_name.clone().unwrap_or_else(|| format!("Version - {}", current.version));
    sqlx::query(
        "UPDATE license SET name = $3, description = $4, type = $5, version_name = $6, is_default = $7,
                updated_at = now()
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(current.id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(input.r#type)
    .bind(version_name)
    .bind(input.is_default)
    .execute(uow.conn())
    .await?;
    let updated: License = repository::by_id(uow.conn(), organization_id, current.id).await?;
    uow.record(organization_id, events::UPDATED.with(&updated)).await?;
    served.settle(&mut uow, organization_id).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn not_reassignable() -> Error {
    Error::unprocessable_rule("UpdateLicense.FamilyNotReassignable", "a version cannot move between families")
}

/// What a client read may be written back; a different value is a change this endpoint does
/// not make.
fn check_unchangeable(current: &LicenseRow, input: &LicenseInput) -> Result<(), Error> {
    if input.version.as_deref().is_some_and(|v| v != current.version.to_string()) {
        return Err(Error::unprocessable_rule(
            "UpdateLicense.VersionNotSettable",
            "a version's number never changes; send back the stored one or leave it out",
        ));
    }
    if input.lifecycle_state.is_some_and(|s| s != current.lifecycle_state) {
        return Err(Error::unprocessable_rule(
            "UpdateLicense.LifecycleStateNotSettable",
            "the lifecycle state changes only through publish-license, archive-license and unarchive-license",
        ));
    }
    if input.family_id.as_deref().is_some_and(|id| id != current.family_id.to_string()) {
        return Err(not_reassignable());
    }
    Ok(())
}
