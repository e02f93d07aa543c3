use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use serde_json::json;
use sqlx::PgPool;

use super::{events, repository};
use crate::auth::layer::Caller;

/// Delete an entitlement
///
/// Delete an entitlement by its slug. Refused while a license grants it or an instance has
/// counted usage of it.
#[utoipa::path(
    delete, path = "/entitlements/{entitlementSlug}", operation_id = "delete-entitlement", tag = "entitlements",
    params(("entitlementSlug" = String, Path)),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    // The lock makes a grant or a first usage report wait until this delete has decided.
    let row =
        repository::row(uow.conn(), organization_id, &slug, "DeleteEntitlement.NotFound", RowLock::Delete).await?;
    let (grants, counters): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM license_entitlement WHERE organization_id = $1 AND entitlement_id = $2),
                (SELECT count(*) FROM entitlement_usage WHERE organization_id = $1 AND entitlement_id = $2)",
    )
    .bind(organization_id)
    .bind(row.id)
    .fetch_one(uow.conn())
    .await?;
    if grants + counters > 0 {
        return Err(Error::still_referenced(
            "DeleteEntitlement.InUseConflict",
            format!("Entitlement \"{slug}\" is still granted or counted and cannot be deleted"),
            "entitlement",
            json!({ "licenseGrants": grants, "usageCounters": counters }),
        ));
    }
    let deleted = repository::assemble(uow.conn(), organization_id, vec![row.clone()]).await?.remove(0);
    kaiten_kernel::scoped::delete(uow.conn(), "entitlement", organization_id, row.id).await?;
    uow.record(organization_id, events::DELETED.with(&deleted)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
