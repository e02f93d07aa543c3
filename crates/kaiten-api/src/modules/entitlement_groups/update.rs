use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::events;
use super::schema::{EntitlementGroup, EntitlementGroupInput};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Update an entitlement group
///
/// Update an existing entitlement group with the provided details
#[utoipa::path(
    put, path = "/entitlement-groups/{entitlementGroupSlug}", operation_id = "update-entitlement-group",
    tag = "entitlement-groups",
    params(("entitlementGroupSlug" = String, Path)),
    request_body = EntitlementGroup,
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
    ValidJson(input): ValidJson<EntitlementGroupInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    if input.slug.as_deref().is_some_and(|s| s != slug) {
        return Err(Error::unprocessable_rule(
            "UpdateEntitlementGroup.SlugNotRenameable",
            "an entitlement group's slug cannot be changed",
        ));
    }
    let mut uow = Uow::begin(&pool).await?;
    let updated: Option<EntitlementGroup> = sqlx::query_as(
        "UPDATE entitlement_group SET name = $3, description = $4, updated_at = now()
          WHERE organization_id = $1 AND slug = $2 RETURNING id, name, slug, description, created_at",
    )
    .bind(organization_id)
    .bind(&slug)
    .bind(&input.name)
    .bind(&input.description)
    .fetch_optional(uow.conn())
    .await?;
    let updated = updated.ok_or_else(|| {
        Error::not_found("UpdateEntitlementGroup.NotFound", format!("entitlement group {slug} not found"))
    })?;
    uow.record(organization_id, events::UPDATED.with(&updated)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
