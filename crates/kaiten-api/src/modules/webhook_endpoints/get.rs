use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::WebhookEndpoint;
use crate::auth::layer::Caller;

/// Get a webhook endpoint
#[utoipa::path(
    get, path = "/webhooks/endpoints/{endpointId}", operation_id = "get-webhook-endpoint", tag = "webhooks",
    params(("endpointId" = String, Path, description = "Endpoint id")),
    responses((status = 200, description = "OK", body = WebhookEndpoint), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:webhooks"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<WebhookEndpoint>, Error> {
    let mut conn = pool.acquire().await?;
    Ok(Json(repository::find(&mut conn, caller.organization_id()?, &id, RowLock::None).await?))
}
