//! Sending deliveries again: one, or every failure of an endpoint since a time.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_events::webhooks::queue;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::repository;
use super::schema::{RecoverWebhookDeliveries, RecoveredWebhookDeliveries, WebhookDelivery};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Resend a delivery
///
/// Queues the delivery for an attempt now, whatever its status; the body and `svix-id` are the
/// original's, so a receiver that de-duplicates sees the same message.
#[utoipa::path(
    post, path = "/webhooks/endpoints/{endpointId}/deliveries/{deliveryId}/resend",
    operation_id = "resend-webhook-delivery", tag = "webhooks",
    params(
        ("endpointId" = String, Path, description = "Endpoint id"),
        ("deliveryId" = String, Path, description = "Delivery id"),
    ),
    responses((status = 202, description = "Accepted", body = WebhookDelivery), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["write:webhooks"]))
)]
pub async fn one(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((id, delivery_id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<WebhookDelivery>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let endpoint = repository::find(uow.conn(), organization_id, &id, RowLock::KeyShare).await?;
    let delivery = repository::delivery(uow.conn(), organization_id, endpoint.id, &delivery_id).await?;
    sqlx::query(
        "UPDATE webhook_delivery SET status = 'pending', next_attempt_at = now(), updated_at = now()
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(delivery.id)
    .execute(uow.conn())
    .await?;
    queue::wake(uow.conn()).await?;
    let queued = repository::delivery(uow.conn(), organization_id, endpoint.id, &delivery_id).await?;
    uow.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(queued)))
}

/// Recover failed deliveries
///
/// Queues every failed delivery of the endpoint created at or after `since` for an attempt now.
#[utoipa::path(
    post, path = "/webhooks/endpoints/{endpointId}/recover", operation_id = "recover-webhook-deliveries",
    tag = "webhooks",
    params(("endpointId" = String, Path, description = "Endpoint id")),
    request_body = RecoverWebhookDeliveries,
    responses(
        (status = 202, description = "Accepted", body = RecoveredWebhookDeliveries),
        (status = 404, description = "Not Found"),
        (status = 422, description = "Unprocessable Entity"),
    ),
    security(("bearerAuth" = ["write:webhooks"]))
)]
pub async fn recover(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ValidJson(input): ValidJson<RecoverWebhookDeliveries>,
) -> Result<(StatusCode, Json<RecoveredWebhookDeliveries>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let endpoint = repository::find(uow.conn(), organization_id, &id, RowLock::KeyShare).await?;
    let recovered = sqlx::query(
        "UPDATE webhook_delivery SET status = 'pending', next_attempt_at = now(), updated_at = now()
          WHERE organization_id = $1 AND endpoint_id = $2 AND status = 'failed' AND created_at >= $3",
    )
    .bind(organization_id)
    .bind(endpoint.id)
    .bind(input.since)
    .execute(uow.conn())
    .await?
    .rows_affected();
    if recovered > 0 {
        queue::wake(uow.conn()).await?;
    }
    uow.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(RecoveredWebhookDeliveries { recovered })))
}
