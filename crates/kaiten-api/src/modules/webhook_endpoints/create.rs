use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_events::webhooks::{keys, signing::SigningKey};
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{CreateWebhookEndpoint, CreatedWebhookEndpoint};
use super::settings::WebhookSettings;
use super::{repository, validate};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Create a webhook endpoint
///
/// Registers a URL to receive the organization's events, signed. The response carries the
/// signing secret; it can be read again with the secret operation.
#[utoipa::path(
    post, path = "/webhooks/endpoints", operation_id = "create-webhook-endpoint", tag = "webhooks",
    request_body = CreateWebhookEndpoint,
    responses(
        (status = 201, description = "Created", body = CreatedWebhookEndpoint),
        (status = 422, description = "Unprocessable Entity"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:webhooks"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(webhooks): State<WebhookSettings>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<CreateWebhookEndpoint>,
) -> Result<(StatusCode, Json<CreatedWebhookEndpoint>), Error> {
    let organization_id = caller.organization_id()?;
    let url = validate::url(&webhooks, &input.url)?;
    let event_types = validate::event_types(input.event_types.as_deref().unwrap_or_default())?;
    let sealer = validate::sealer(&webhooks)?;
    let disabled = input.disabled.unwrap_or(false);
    let mut uow = Uow::begin(&pool).await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO webhook_endpoint (organization_id, url, description, event_types, disabled, disabled_reason)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN 'disabled by a user' END) RETURNING id",
    )
    .bind(organization_id)
    .bind(&url)
    .bind(input.description.unwrap_or_default())
    .bind(&event_types)
    .bind(disabled)
    .fetch_one(uow.conn())
    .await?;
    let key = SigningKey::generate();
    keys::insert(uow.conn(), sealer, organization_id, id, &key).await?;
    let endpoint = repository::find(uow.conn(), organization_id, &id.to_string(), RowLock::None).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(CreatedWebhookEndpoint { endpoint, secret: key.to_secret() })))
}
