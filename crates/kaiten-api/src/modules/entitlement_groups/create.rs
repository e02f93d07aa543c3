use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow, slug};
use sqlx::PgPool;

use super::events;
use super::schema::{EntitlementGroup, EntitlementGroupInput};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Create a new entitlement group
///
/// Create a new entitlement group to aggregate entitlements
#[utoipa::path(
    post, path = "/entitlement-groups", operation_id = "create-entitlement-group", tag = "entitlement-groups",
    request_body = EntitlementGroup,
    responses(
        (status = 201, description = "Created", body = EntitlementGroup),
        (status = 400, description = "Bad Request"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<EntitlementGroupInput>,
) -> Result<(StatusCode, Json<EntitlementGroup>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let conn = uow.conn();
    let mut claimed = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        let candidate = candidate.as_str();
        claimed = sqlx::query_as(
            "INSERT INTO entitlement_group (organization_id, name, slug, description) VALUES ($1, $2, $3, $4)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id, name, slug, description, created_at",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(candidate)
        .bind(&input.description)
        .fetch_optional(&mut *conn)
        .await?;
        if claimed.is_some() {
            break;
        }
    }
    let group: EntitlementGroup = claimed.ok_or_else(|| {
        Error::conflict("CreateEntitlementGroup.SlugConflict", "an entitlement group with this slug already exists")
    })?;
    uow.record(organization_id, events::CREATED.with(&group)).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(group)))
}
