use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use serde_json::json;
use sqlx::PgPool;

use super::events;
use super::families::repository::{self as family, Served};
use super::schema::License;
use crate::auth::layer::Caller;

/// Delete a license
///
/// Delete a license version. Refused (409 DeleteLicense.InUseConflict) while an instance runs
/// on it or it still grants entitlements. Deleting the last version of a license family also
/// deletes the family, and frees its slug for a new product to take. A deleted version's number
/// is not reused by the next version of its family.
#[utoipa::path(
    delete, path = "/licenses/{licenseSlug}", operation_id = "delete-license", tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License slug", example = "license-slug")),
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
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let (family, version) =
        family::lock_version(uow.conn(), organization_id, &slug, "DeleteLicense.NotFound", RowLock::Delete).await?;
    // The version row is locked: an instance or grant being added waits for this decision.
    let (instances, grants): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM instance WHERE organization_id = $1 AND license_id = $2),
                (SELECT count(*) FROM license_entitlement WHERE organization_id = $1 AND license_id = $2)",
    )
    .bind(organization_id)
    .bind(version.id)
    .fetch_one(uow.conn())
    .await?;
    if instances + grants > 0 {
        return Err(Error::still_referenced(
            "DeleteLicense.InUseConflict",
            format!("License \"{slug}\" is still referenced by an instance or an entitlement and cannot be deleted"),
            "license",
            json!({ "instances": instances, "licenseGrants": grants }),
        ));
    }
    let served = Served::before(uow.conn(), organization_id, family.id).await?;
    let family_before = family::view(uow.conn(), organization_id, family.id).await?;
    kaiten_kernel::scoped::delete(uow.conn(), "license", organization_id, version.id).await?;
    uow.record(organization_id, events::DELETED.with(&License::from(version))).await?;
    let emptied = sqlx::query(
        "DELETE FROM license_family f WHERE f.organization_id = $1 AND f.id = $2
            AND NOT EXISTS (SELECT 1 FROM license l WHERE l.family_id = f.id)",
    )
    .bind(organization_id)
    .bind(family.id)
    .execute(uow.conn())
    .await?;
    if emptied.rows_affected() > 0 {
        uow.record(organization_id, events::FAMILY_DELETED.with(&family_before)).await?;
    } else {
        served.settle(&mut uow, organization_id).await?;
    }
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
