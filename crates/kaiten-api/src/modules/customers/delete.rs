use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::{events, repository};
use crate::auth::layer::Caller;

/// Delete a customer
///
/// Delete a customer by their slug.
#[utoipa::path(
    delete, path = "/customers/{customerSlug}", operation_id = "delete-customer", tag = "customers",
    params(("customerSlug" = String, Path)),
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
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let customer = repository::find(uow.conn(), organization_id, &slug).await?;
    let deleted = kaiten_kernel::scoped::delete(uow.conn(), "customer", organization_id, customer.id).await?;
    if deleted == 0 {
        return Err(repository::not_found(&slug));
    }
    uow.record(organization_id, events::DELETED.with(&customer)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
