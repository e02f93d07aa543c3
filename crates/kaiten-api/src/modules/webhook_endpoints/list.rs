use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository;
use super::schema::{PageWebhookEndpoint, WebhookEndpoint};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// List webhook endpoints
///
/// The organization's endpoints, newest first. Secrets are never listed.
#[utoipa::path(
    get, path = "/webhooks/endpoints", operation_id = "list-webhook-endpoints", tag = "webhooks",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageWebhookEndpoint), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:webhooks"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<WebhookEndpoint>>, Error> {
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, caller.organization_id()?, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, repository::cursor)))
}
