use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::repository;
use crate::auth::layer::Caller;

/// Delete a webhook endpoint
///
/// Its keys, deliveries and their history go with it.
#[utoipa::path(
    delete, path = "/webhooks/endpoints/{endpointId}", operation_id = "delete-webhook-endpoint", tag = "webhooks",
    params(("endpointId" = String, Path, description = "Endpoint id")),
    responses((status = 204, description = "No Content"), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["write:webhooks"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let endpoint = repository::find(uow.conn(), organization_id, &id, RowLock::Delete).await?;
    kaiten_kernel::scoped::delete(uow.conn(), "webhook_endpoint", organization_id, endpoint.id).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
