use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::repository;
use crate::auth::layer::Caller;
use crate::modules::entitlements;

/// Remove an entitlement from a group
///
/// Remove an entitlement from an entitlement group. The entitlement itself is not deleted.
/// Removing an entitlement that is not a member changes nothing and succeeds, so a retried
/// call is harmless.
#[utoipa::path(
    delete, path = "/entitlement-groups/{entitlementGroupSlug}/entitlements/{entitlementSlug}",
    operation_id = "remove-entitlement-from-group", tag = "entitlement-groups",
    params(("entitlementGroupSlug" = String, Path), ("entitlementSlug" = String, Path)),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((group_slug, entitlement_slug)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let group = repository::find(
        uow.conn(),
        organization_id,
        &group_slug,
        "RemoveEntitlementFromGroup.GroupNotFound",
        RowLock::None,
    )
    .await?;
    let entitlement = entitlements::repository::row(
        uow.conn(),
        organization_id,
        &entitlement_slug,
        "RemoveEntitlementFromGroup.EntitlementNotFound",
        RowLock::None,
    )
    .await?;
    let removed = sqlx::query(
        "DELETE FROM entitlement_group_membership WHERE organization_id = $1 AND group_id = $2 AND entitlement_id = $3",
    )
    .bind(organization_id)
    .bind(group.id)
    .bind(entitlement.id)
    .execute(uow.conn())
    .await?;
    if removed.rows_affected() > 0 {
        let changed = entitlements::repository::find_by_id(uow.conn(), organization_id, entitlement.id).await?;
        uow.record(organization_id, entitlements::events::UPDATED.with(&changed)).await?;
    }
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
