use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::links::{self, Addressed};
use super::schema::InstanceIntegrationBody;
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::instances::schema::InstanceIntegration;
use crate::modules::integrations::Owner;

/// Get an instance integration
///
/// Retrieve a single integration for an instance
#[utoipa::path(
    get, path = "/instances/{instanceSlug}/integrations/{integrationName}", operation_id = "get-instance-integration", tag = "instances",
    params(
        ("instanceSlug" = String, Path, description = "Instance slug", example = "my-instance"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    responses((status = 200, description = "OK", body = InstanceIntegration), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:instances"]))
)]
pub async fn get(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
) -> Result<Json<InstanceIntegration>, Error> {
    let at = Addressed::new(Owner::Instance, &caller, &slug, &adapter, "GetInstanceIntegration")?;
    Ok(Json(links::get(&pool, at).await?.into()))
}

/// Create an instance integration
///
/// Create a single integration for an instance
#[utoipa::path(
    post, path = "/instances/{instanceSlug}/integrations/{integrationName}", operation_id = "create-instance-integration",
    tag = "instances",
    params(
        ("instanceSlug" = String, Path, description = "Instance slug", example = "my-instance"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    request_body(content = InstanceIntegration, description = "Integration payload"),
    responses(
        (status = 201, description = "Created", body = InstanceIntegration),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn create(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
    ValidJson(InstanceIntegrationBody(input)): ValidJson<InstanceIntegrationBody>,
) -> Result<(StatusCode, Json<InstanceIntegration>), Error> {
    let at = Addressed::new(Owner::Instance, &caller, &slug, &adapter, "CreateInstanceIntegration")?;
    Ok((StatusCode::CREATED, Json(links::create(&pool, at, input).await?.into())))
}

/// Update an instance integration
///
/// Update a single integration for an instance
#[utoipa::path(
    put, path = "/instances/{instanceSlug}/integrations/{integrationName}", operation_id = "update-instance-integration",
    tag = "instances",
    params(
        ("instanceSlug" = String, Path, description = "Instance slug", example = "my-instance"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    request_body(content = InstanceIntegration, description = "Integration payload"),
    responses(
        (status = 200, description = "OK", body = InstanceIntegration),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn update(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
    ValidJson(InstanceIntegrationBody(input)): ValidJson<InstanceIntegrationBody>,
) -> Result<Json<InstanceIntegration>, Error> {
    let at = Addressed::new(Owner::Instance, &caller, &slug, &adapter, "UpdateInstanceIntegration")?;
    Ok(Json(links::update(&pool, at, input).await?.into()))
}

/// Delete an instance integration
///
/// Delete a single integration for an instance
#[utoipa::path(
    delete, path = "/instances/{instanceSlug}/integrations/{integrationName}", operation_id = "delete-instance-integration",
    tag = "instances",
    params(
        ("instanceSlug" = String, Path, description = "Instance slug", example = "my-instance"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn delete(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let at = Addressed::new(Owner::Instance, &caller, &slug, &adapter, "DeleteInstanceIntegration")?;
    links::delete(&pool, at).await?;
    Ok(StatusCode::NO_CONTENT)
}
