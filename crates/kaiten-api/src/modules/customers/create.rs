use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow, slug};
use sqlx::PgConnection;
use sqlx::PgPool;
use uuid::Uuid;

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
    let id = insert(uow.conn(), organization_id, caller.user_id, &input).await?;
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

/// Inserts with the caller's slug (a collision is a 409) or a generated one (retried).
async fn insert(
    conn: &mut PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
    input: &CustomerInput,
) -> Result<Uuid, Error> {
    let mut claimed = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        let candidate = candidate.as_str();
        claimed = sqlx::query_scalar(
            "INSERT INTO customer (organization_id, name, slug, domain, external_customer_id, created_by_id, updated_by_id)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(candidate)
        .bind(&input.domain)
        .bind(&input.external_customer_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
        if claimed.is_some() {
            break;
        }
    }
    claimed.ok_or_else(|| Error::conflict("CreateCustomer.SlugConflict", "a customer with this slug already exists"))
}
