//! Reading and rotating an endpoint's signing secret.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use chrono::Utc;
use kaiten_events::webhooks::keys;
use kaiten_events::webhooks::signing::SigningKey;
use kaiten_kernel::{Error, ErrorDetail, RowLock, Uow};
use sqlx::PgPool;

use super::schema::{RotateWebhookSecret, WebhookSecret};
use super::{repository, validate};
use crate::auth::layer::Caller;
use crate::http::JsonBody;
use crate::http::schema_validation::SchemaRegistry;
use crate::modules::webhook_endpoints::settings::WebhookSettings;

/// Get a webhook endpoint's secret
///
/// The newest signing secret of the endpoint.
#[utoipa::path(
    get, path = "/webhooks/endpoints/{endpointId}/secret", operation_id = "get-webhook-endpoint-secret",
    tag = "webhooks",
    params(("endpointId" = String, Path, description = "Endpoint id")),
    responses(
        (status = 200, description = "OK", body = WebhookSecret),
        (status = 404, description = "Not Found"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["read:webhooks"]))
)]
pub async fn get(
    State(pool): State<PgPool>,
    State(webhooks): State<WebhookSettings>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<WebhookSecret>, Error> {
    let sealer = validate::sealer(&webhooks)?;
    let mut conn = pool.acquire().await?;
    let endpoint = repository::find(&mut conn, caller.organization_id()?, &id, RowLock::None).await?;
    let mut live = keys::live(&mut *conn, sealer, &[endpoint.id]).await?;
    let newest = live.remove(&endpoint.id).and_then(|keys| keys.into_iter().next());
    let key = newest.ok_or_else(|| Error::internal("a webhook endpoint has no live signing key"))?;
    Ok(Json(WebhookSecret { key: key.to_secret() }))
}

/// Rotate a webhook endpoint's secret
///
/// A new secret signs from now on; the previous ones keep signing beside it for the grace
/// period (default one day), so receivers can switch without missing a delivery.
#[utoipa::path(
    post, path = "/webhooks/endpoints/{endpointId}/secret/rotate", operation_id = "rotate-webhook-endpoint-secret",
    tag = "webhooks",
    params(("endpointId" = String, Path, description = "Endpoint id")),
    request_body(content = Option<RotateWebhookSecret>),
    responses(
        (status = 200, description = "OK", body = WebhookSecret),
        (status = 404, description = "Not Found"),
        (status = 422, description = "Unprocessable Entity"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:webhooks"]))
)]
pub async fn rotate(
    State(pool): State<PgPool>,
    State(webhooks): State<WebhookSettings>,
    State(schemas): State<Arc<SchemaRegistry>>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    body: Option<JsonBody>,
) -> Result<Json<WebhookSecret>, Error> {
    let input: RotateWebhookSecret = match body {
        Some(JsonBody(value)) => crate::http::valid_json::validate(&schemas, value)?,
        None => RotateWebhookSecret::default(),
    };
    let organization_id = caller.organization_id()?;
    let sealer = validate::sealer(&webhooks)?;
    let key = match &input.key {
        Some(secret) => SigningKey::parse(secret).map_err(|err| {
            Error::unprocessable_rule("WebhookEndpoint.InvalidSecret", err.to_string())
                .with_errors(vec![ErrorDetail::new("body.key", err.to_string())])
        })?,
        None => SigningKey::generate(),
    };
    let grace = input.grace_period_seconds.map_or(webhooks.rotation_grace, |s| Duration::from_secs(s.into()));
    let until = Utc::now() + chrono::Duration::from_std(grace).unwrap_or_default();
    let mut uow = Uow::begin(&pool).await?;
    let endpoint = repository::find(uow.conn(), organization_id, &id, RowLock::Update).await?;
    keys::expire_live(uow.conn(), endpoint.id, until).await?;
    keys::insert(uow.conn(), sealer, organization_id, endpoint.id, &key).await?;
    uow.commit().await?;
    Ok(Json(WebhookSecret { key: key.to_secret() }))
}
