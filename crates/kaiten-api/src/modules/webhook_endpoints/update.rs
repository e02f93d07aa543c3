use axum::Json;
use axum::extract::{Path, State};
use kaiten_events::webhooks::queue;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::schema::{UpdateWebhookEndpoint, WebhookEndpoint};
use super::settings::WebhookSettings;
use super::{repository, validate};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Update a webhook endpoint
///
/// What the body gives replaces the stored value; what it omits stays. Enabling an endpoint
/// forgets its failing streak and lets its pending deliveries go out.
#[utoipa::path(
    put, path = "/webhooks/endpoints/{endpointId}", operation_id = "update-webhook-endpoint", tag = "webhooks",
    params(("endpointId" = String, Path, description = "Endpoint id")),
    request_body = UpdateWebhookEndpoint,
    responses(
        (status = 200, description = "OK", body = WebhookEndpoint),
        (status = 404, description = "Not Found"),
        (status = 422, description = "Unprocessable Entity"),
    ),
    security(("bearerAuth" = ["write:webhooks"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(webhooks): State<WebhookSettings>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ValidJson(input): ValidJson<UpdateWebhookEndpoint>,
) -> Result<Json<WebhookEndpoint>, Error> {
    let organization_id = caller.organization_id()?;
    let url = input.url.as_deref().map(|url| validate::url(&webhooks, url)).transpose()?;
    let event_types = input.event_types.as_deref().map(validate::event_types).transpose()?;
    let mut uow = Uow::begin(&pool).await?;
    let current = repository::find(uow.conn(), organization_id, &id, RowLock::Update).await?;
    let disabled = input.disabled.unwrap_or(current.disabled);
    sqlx::query(
        "UPDATE webhook_endpoint
            SET url = coalesce($3, url), description = coalesce($4, description),
                event_types = coalesce($5, event_types), disabled = $6,
                disabled_reason = CASE WHEN NOT $6 THEN NULL WHEN disabled THEN disabled_reason
                                       ELSE 'disabled by a user' END,
                failing_since = CASE WHEN $6 THEN failing_since END,
                updated_at = now()
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(current.id)
    .bind(url)
    .bind(input.description)
    .bind(event_types)
    .bind(disabled)
    .execute(uow.conn())
    .await?;
    match (current.disabled, disabled) {
        (false, true) => queue::park(uow.conn(), current.id).await?,
        (true, false) => queue::resume(uow.conn(), current.id).await?,
        _ => {}
    }
    let endpoint = repository::find(uow.conn(), organization_id, &id, RowLock::None).await?;
    uow.commit().await?;
    Ok(Json(endpoint))
}
