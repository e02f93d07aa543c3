use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::schema::{Customer, CustomerInput};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::integrations;

/// Update a customer
///
/// Update a customer's details. Slug and integrations are not renameable/settable through this
/// endpoint -- omit them, or send the values already on record.
#[utoipa::path(
    put, path = "/customers/{customerSlug}", operation_id = "update-customer", tag = "customers",
    params(("customerSlug" = String, Path)),
    request_body = Customer,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:customers"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ValidJson(input): ValidJson<CustomerInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let current = repository::find(uow.conn(), organization_id, &slug).await?;
    check_unchangeable(&current, &input)?;
    let change = repository::Change {
        name: &input.name,
        slug: &current.slug,
        domain: input.domain.as_deref(),
        external_customer_id: input.external_customer_id.as_deref(),
    };
    repository::update(uow.conn(), organization_id, current.id, caller.user_id, change, "UpdateCustomer").await?;
    let updated = repository::find_by_id(uow.conn(), organization_id, current.id).await?;
    uow.record(organization_id, events::UPDATED.with(&updated)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A PUT may echo the slug and integrations on record, never change them.
fn check_unchangeable(current: &Customer, input: &CustomerInput) -> Result<(), Error> {
    if input.slug.as_deref().is_some_and(|s| s != current.slug) {
        return Err(Error::bad_request("UpdateCustomer.SlugNotRenameable", "a customer's slug cannot be changed"));
    }
    if !integrations::echoes(input.integrations.as_ref(), &current.integrations, |c| c.external_id.as_str()) {
        return Err(Error::bad_request(
            "UpdateCustomer.IntegrationsNotSettable",
            "integrations are changed through the integration endpoints",
        ));
    }
    Ok(())
}
