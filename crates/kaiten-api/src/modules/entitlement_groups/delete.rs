use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;
use uuid::Uuid;

use super::events;
use super::schema::EntitlementGroup;
use crate::auth::layer::Caller;
use crate::modules::entitlements;

/// Delete an entitlement group
///
/// Delete an entitlement group by its slug. This does not delete the member entitlements.
#[utoipa::path(
    delete, path = "/entitlement-groups/{entitlementGroupSlug}", operation_id = "delete-entitlement-group",
    tag = "entitlement-groups",
    params(("entitlementGroupSlug" = String, Path)),
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
    Path(slug): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let members: Vec<Uuid> = sqlx::query_scalar(
        "SELECT m.entitlement_id FROM entitlement_group_membership m
           JOIN entitlement_group g ON g.id = m.group_id AND g.organization_id = m.organization_id
          WHERE m.organization_id = $1 AND g.slug = $2 ORDER BY m.entitlement_id",
    )
    .bind(organization_id)
    .bind(&slug)
    .fetch_all(uow.conn())
    .await?;
    let deleted: Option<EntitlementGroup> = sqlx::query_as(
        "DELETE FROM entitlement_group WHERE organization_id = $1 AND slug = $2
         RETURNING id, name, slug, description, created_at",
    )
    .bind(organization_id)
    .bind(&slug)
    .fetch_optional(uow.conn())
    .await?;
    let deleted = deleted.ok_or_else(|| {
        Error::not_found("DeleteEntitlementGroup.NotFound", format!("entitlement group {slug} not found"))
    })?;
    uow.record(organization_id, events::DELETED.with(&deleted)).await?;
    // Each member's representation lists its groups, so each member changed too.
    for id in members {
        let changed = entitlements::repository::find_by_id(uow.conn(), organization_id, id).await?;
        uow.record(organization_id, entitlements::events::UPDATED.with(&changed)).await?;
    }
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
