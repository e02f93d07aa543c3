//! Queries the endpoint use cases share.

use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::{WebhookDelivery, WebhookEndpoint};

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: Uuid,
    url: String,
    description: String,
    event_types: Vec<String>,
    disabled: bool,
    disabled_reason: Option<String>,
    failing_since: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<EndpointRow> for WebhookEndpoint {
    fn from(r: EndpointRow) -> Self {
        WebhookEndpoint {
            id: r.id,
            url: r.url,
            description: r.description,
            event_types: r.event_types,
            disabled: r.disabled,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const SELECT: &str = "SELECT e.id, e.url, e.description, e.event_types, e.disabled, e.disabled_reason,
        e.failing_since, e.created_at, e.updated_at FROM webhook_endpoint e";

pub fn not_found(id: &str) -> Error {
    Error::not_found("WebhookEndpoint.NotFound", format!("Webhook endpoint {id} not found"))
}

/// The organization's endpoint `id` (a malformed id is as unknown as another tenant's).
pub async fn find(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: &str,
    lock: RowLock,
) -> Result<WebhookEndpoint, Error> {
    let Ok(uuid) = Uuid::parse_str(id) else { return Err(not_found(id)) };
    let row: Option<EndpointRow> =
        kaiten_kernel::scoped::find(conn, SELECT, "e", "id", organization_id, uuid, lock).await?;
    Ok(row.ok_or_else(|| not_found(id))?.into())
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<WebhookEndpoint>, Error> {
    let rows: Vec<EndpointRow> = page.fetch_of_organization(conn, SELECT, "e", organization_id).await?;
    Ok(rows.into_iter().map(WebhookEndpoint::from).collect())
}

pub fn cursor(endpoint: &WebhookEndpoint) -> Cursor {
    Cursor { created_at: endpoint.created_at, id: endpoint.id }
}

const DELIVERY: &str = "SELECT d.id, d.message_id AS event_id, m.event_name, m.event_type, d.status, d.attempts,
        d.next_attempt_at, d.last_status_code, d.created_at, d.delivered_at
   FROM webhook_delivery d JOIN webhook_message m ON m.id = d.message_id";

/// A page of the endpoint's deliveries, newest first, of one status if asked.
pub async fn deliveries(
    conn: &mut PgConnection,
    organization_id: Uuid,
    endpoint_id: Uuid,
    status: Option<&str>,
    page: &PageRequest,
) -> Result<Vec<WebhookDelivery>, Error> {
    let sql = format!(
        "{DELIVERY} WHERE d.organization_id = $1 AND d.endpoint_id = $2 AND ($3::text IS NULL OR d.status = $3) {}",
        PageRequest::keyset("d", 4)
    );
    let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id).bind(endpoint_id).bind(status);
    Ok(page.bind(query).fetch_all(conn).await?)
}

pub fn delivery_cursor(delivery: &WebhookDelivery) -> Cursor {
    Cursor { created_at: delivery.created_at, id: delivery.id }
}

/// The endpoint's delivery `id`.
pub async fn delivery(
    conn: &mut PgConnection,
    organization_id: Uuid,
    endpoint_id: Uuid,
    id: &str,
) -> Result<WebhookDelivery, Error> {
    let missing = || Error::not_found("WebhookDelivery.NotFound", format!("Webhook delivery {id} not found"));
    let Ok(uuid) = Uuid::parse_str(id) else { return Err(missing()) };
    let sql = format!("{DELIVERY} WHERE d.organization_id = $1 AND d.endpoint_id = $2 AND d.id = $3");
    let found: Option<WebhookDelivery> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(organization_id)
        .bind(endpoint_id)
        .bind(uuid)
        .fetch_optional(conn)
        .await?;
    found.ok_or_else(missing)
}
