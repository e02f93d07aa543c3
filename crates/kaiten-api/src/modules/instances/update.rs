use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::repository;
use super::schema::{Instance, InstanceInput};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::integrations::{self, Owner};

/// Update an instance
///
/// Update an instance with the provided details: a full replacement of name, description,
/// customer, license, license dates and metadata. Leaving out `slug` or `deploymentZoneId` keeps
/// the current value; a new `slug` renames. Status and lifecycle stage change through PATCH;
/// integrations through the integration endpoints (they may be sent back as read).
#[utoipa::path(
    put, path = "/instances/{instanceSlug}", operation_id = "updateInstance", tag = "instances",
    params(("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug")),
    request_body = Instance,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ValidJson(input): ValidJson<InstanceInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let current =
        repository::row(uow.conn(), organization_id, &slug, "UpdateInstance.NotFound", RowLock::Update).await?;
    let stored = integrations::load(uow.conn(), Owner::Instance, organization_id, &[current.id]).await?;
    let stored = stored.get(&current.id).cloned().unwrap_or_default();
    if !integrations::echoes(input.integrations.as_ref(), &stored, |s| s.external_id.as_str()) {
        return Err(Error::bad_request(
            "UpdateInstance.IntegrationsNotSettable",
            "integrations are changed through the integration endpoints",
        ));
    }
    repository::update(&mut uow, organization_id, caller.user_id, &current, &input, "UpdateInstance").await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
