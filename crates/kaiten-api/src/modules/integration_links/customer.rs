use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::links::{self, Addressed};
use super::schema::CustomerIntegrationBody;
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::customers::schema::CustomerIntegration;
use crate::modules::integrations::Owner;

/// Get a customer integration
///
/// Retrieve a single integration for a customer
#[utoipa::path(
    get, path = "/customers/{customerSlug}/integrations/{integrationName}", operation_id = "get-customer-integration", tag = "customers",
    params(
        ("customerSlug" = String, Path, description = "Customer slug", example = "acme-corp"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    responses((status = 200, description = "OK", body = CustomerIntegration), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:customers"]))
)]
pub async fn get(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
) -> Result<Json<CustomerIntegration>, Error> {
    let at = Addressed::new(Owner::Customer, &caller, &slug, &adapter, "GetCustomerIntegration")?;
    Ok(Json(links::get(&pool, at).await?.into()))
}

/// Create a customer integration
///
/// Create a single integration for a customer
#[utoipa::path(
    post, path = "/customers/{customerSlug}/integrations/{integrationName}", operation_id = "create-customer-integration",
    tag = "customers",
    params(
        ("customerSlug" = String, Path, description = "Customer slug", example = "acme-corp"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    request_body(content = CustomerIntegration, description = "Integration payload"),
    responses(
        (status = 201, description = "Created", body = CustomerIntegration),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:customers"]))
)]
pub async fn create(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
    ValidJson(CustomerIntegrationBody(input)): ValidJson<CustomerIntegrationBody>,
) -> Result<(StatusCode, Json<CustomerIntegration>), Error> {
    let at = Addressed::new(Owner::Customer, &caller, &slug, &adapter, "CreateCustomerIntegration")?;
    Ok((StatusCode::CREATED, Json(links::create(&pool, at, input).await?.into())))
}

/// Update a customer integration
///
/// Update a single integration for a customer
#[utoipa::path(
    put, path = "/customers/{customerSlug}/integrations/{integrationName}", operation_id = "update-customer-integration",
    tag = "customers",
    params(
        ("customerSlug" = String, Path, description = "Customer slug", example = "acme-corp"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    request_body(content = CustomerIntegration, description = "Integration payload"),
    responses(
        (status = 200, description = "OK", body = CustomerIntegration),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:customers"]))
)]
pub async fn update(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
    ValidJson(CustomerIntegrationBody(input)): ValidJson<CustomerIntegrationBody>,
) -> Result<Json<CustomerIntegration>, Error> {
    let at = Addressed::new(Owner::Customer, &caller, &slug, &adapter, "UpdateCustomerIntegration")?;
    Ok(Json(links::update(&pool, at, input).await?.into()))
}

/// Delete a customer integration
///
/// Delete a single integration for a customer
#[utoipa::path(
    delete, path = "/customers/{customerSlug}/integrations/{integrationName}", operation_id = "delete-customer-integration",
    tag = "customers",
    params(
        ("customerSlug" = String, Path, description = "Customer slug", example = "acme-corp"),
        ("integrationName" = String, Path, description = "Integration adapter name", example = "kaiten.integration.crm.attio"),
    ),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:customers"]))
)]
pub async fn delete(
    State(pool): State<PgPool>,
    caller: Caller,
    Path((slug, adapter)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let at = Addressed::new(Owner::Customer, &caller, &slug, &adapter, "DeleteCustomerIntegration")?;
    links::delete(&pool, at).await?;
    Ok(StatusCode::NO_CONTENT)
}
