use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};

use super::events;
use super::schema::EntitlementGroup;
use crate::auth::layer::Caller;
use crate::state::AppState;

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
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&state.pool).await?;
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
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
