use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::repository;
use super::schema::Command;
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::entitlements;

/// Add an entitlement to a group
///
/// Add an existing entitlement as a member of an entitlement group
#[utoipa::path(
    post, path = "/entitlement-groups/{entitlementGroupSlug}/entitlements", operation_id = "add-entitlement-to-group",
    tag = "entitlement-groups",
    params(("entitlementGroupSlug" = String, Path)),
    request_body = Command,
    responses(
        (status = 201, description = "Created"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(group_slug): Path<String>,
    ValidJson(command): ValidJson<Command>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let group = repository::find(
        uow.conn(),
        organization_id,
        &group_slug,
        "AddEntitlementToGroup.GroupNotFound",
        RowLock::KeyShare,
    )
    .await?;
    let entitlement = entitlements::repository::row(
        uow.conn(),
        organization_id,
        &command.entitlement_slug,
        "AddEntitlementToGroup.EntitlementNotFound",
        RowLock::KeyShare,
    )
    .await?;
    let added = sqlx::query(
        "INSERT INTO entitlement_group_membership (group_id, entitlement_id, organization_id)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(group.id)
    .bind(entitlement.id)
    .bind(organization_id)
    .execute(uow.conn())
    .await?;
    if added.rows_affected() == 0 {
        return Err(Error::conflict(
            "AddEntitlementToGroup.AlreadyMember",
            format!("entitlement {} is already in group {group_slug}", command.entitlement_slug),
        ));
    }
    // The entitlement's representation lists its groups, so it is the one that changed.
    let changed = entitlements::repository::find_by_id(uow.conn(), organization_id, entitlement.id).await?;
    uow.record(organization_id, entitlements::events::UPDATED.with(&changed)).await?;
    uow.commit().await?;
    Ok(StatusCode::CREATED)
}
