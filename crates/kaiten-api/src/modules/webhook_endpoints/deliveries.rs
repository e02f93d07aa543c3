//! The delivery history of an endpoint: its deliveries, and the attempts of one.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use kaiten_kernel::{Error, ErrorDetail, Page, RowLock};
use sqlx::PgPool;

use super::repository;
use super::schema::{PageWebhookDelivery, WebhookAttempts, WebhookDelivery};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

const STATUSES: [&str; 3] = ["pending", "delivered", "failed"];

/// List an endpoint's deliveries
///
/// Newest first; `status` keeps one kind (`pending`, `delivered`, `failed`).
#[utoipa::path(
    get, path = "/webhooks/endpoints/{endpointId}/deliveries", operation_id = "list-webhook-deliveries",
    tag = "webhooks",
    params(
        ("endpointId" = String, Path, description = "Endpoint id"),
        ("status" = Option<String>, Query, description = "pending, delivered or failed"),
        PageParams,
    ),
    responses(
        (status = 200, description = "OK", body = PageWebhookDelivery),
        (status = 404, description = "Not Found"),
        (status = 422, description = "Unprocessable Entity"),
    ),
    security(("bearerAuth" = ["read:webhooks"]))
)]
pub async fn list(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<WebhookDelivery>>, Error> {
    let status = crate::http::query::param(query.as_deref(), "status");
    if let Some(status) = status.as_deref().filter(|s| !STATUSES.contains(s)) {
        return Err(Error::unprocessable(
            "validation failed",
            vec![
                ErrorDetail::new("query.status", "expected pending, delivered or failed")
                    .with_value(serde_json::Value::String(status.to_owned())),
            ],
        ));
    }
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let endpoint = repository::find(&mut conn, organization_id, &id, RowLock::None).await?;
    let rows = repository::deliveries(&mut conn, organization_id, endpoint.id, status.as_deref(), &page).await?;
    Ok(Json(Page::from_rows(rows, &page, repository::delivery_cursor)))
}

/// List a delivery's attempts
///
/// Every attempt, oldest first: when, how long, the receiver's status and the start of its answer.
#[utoipa::path(
    get, path = "/webhooks/endpoints/{endpointId}/deliveries/{deliveryId}/attempts",
    operation_id = "list-webhook-attempts", tag = "webhooks",
    params(
        ("endpointId" = String, Path, description = "Endpoint id"),
        ("deliveryId" = String, Path, description = "Delivery id"),
    ),
    responses((status = 200, description = "OK", body = WebhookAttempts), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:webhooks"]))
)]
pub async fn attempts(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((id, delivery_id)): Path<(String, String)>,
) -> Result<Json<WebhookAttempts>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let endpoint = repository::find(&mut conn, organization_id, &id, RowLock::None).await?;
    let delivery = repository::delivery(&mut conn, organization_id, endpoint.id, &delivery_id).await?;
    let items = sqlx::query_as(
        "SELECT id, attempted_at, duration_ms, status_code, outcome, error, response FROM webhook_attempt
          WHERE organization_id = $1 AND delivery_id = $2 ORDER BY attempted_at, id",
    )
    .bind(organization_id)
    .bind(delivery.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Json(WebhookAttempts { items }))
}
