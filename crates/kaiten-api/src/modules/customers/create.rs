use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::schema::{Customer, CustomerInput};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::integrations::{self, Owner};

/// Create a new customer
///
/// Create a new customer with the provided details.
#[utoipa::path(
    post, path = "/customers", operation_id = "create-customer", tag = "customers",
    request_body = Customer,
    responses(
        (status = 201, description = "Created", body = Customer),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:customers"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<CustomerInput>,
) -> Result<(StatusCode, Json<Customer>), Error> {
    let organization_id = caller.organization_id()?;
    let integrations = integrations::normalized(input.integrations.as_ref(), "CreateCustomer.InvalidIntegration")?;

    let mut uow = Uow::begin(&pool).await?;
    let id = repository::insert(uow.conn(), organization_id, caller.user_id, &input, "CreateCustomer").await?;
    integrations::insert(
        uow.conn(),
        Owner::Customer,
        organization_id,
        id,
        &integrations,
        "CreateCustomer.IntegrationConflict",
    )
    .await?;
    let customer = repository::find_by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::CREATED.with(&customer)).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(customer)))
}
