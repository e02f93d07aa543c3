use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::repository;
use super::schema::{Instance, InstanceInput};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::integrations;

/// Create a new instance
///
/// Create a new instance with the provided details
#[utoipa::path(
    post, path = "/instances", operation_id = "createInstance", tag = "instances",
    request_body = Instance,
    responses(
        (status = 201, description = "Created", body = Instance),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<InstanceInput>,
) -> Result<(StatusCode, Json<Instance>), Error> {
    let organization_id = caller.organization_id()?;
    let integrations = integrations::normalized(input.integrations.as_ref(), "CreateInstance.InvalidIntegration")?;
    let mut uow = Uow::begin(&pool).await?;
    let instance = repository::create(
        &mut uow,
        organization_id,
        caller.user_id,
        &input,
        &integrations,
        ("CreateInstance", "CreateInstance.IntegrationConflict"),
    )
    .await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(instance)))
}
