//! Queries the customer use cases share.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::{Customer, CustomerIntegration, IntegrationInput};
use crate::modules::user_ref::UserRef;

pub fn not_found(slug: &str) -> Error {
    Error::not_found("Customer.NotFound", format!("customer {slug} not found"))
}

#[derive(sqlx::FromRow)]
pub struct CustomerRow {
    pub id: Uuid,
    name: String,
    slug: String,
    domain: Option<String>,
    external_customer_id: Option<String>,
    pub created_at: DateTime<Utc>,
    created_by_id: Uuid,
    created_by_name: Option<String>,
    updated_at: DateTime<Utc>,
    updated_by_id: Uuid,
    updated_by_name: Option<String>,
}

impl CustomerRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }
}

const SELECT: &str = "SELECT c.id, c.name, c.slug, c.domain, c.external_customer_id,
        c.created_at, c.created_by_id, cu.name AS created_by_name,
        c.updated_at, c.updated_by_id, uu.name AS updated_by_name
   FROM customer c
   JOIN users cu ON cu.id = c.created_by_id
   JOIN users uu ON uu.id = c.updated_by_id";

pub async fn find(conn: &mut PgConnection, organization_id: Uuid, slug: &str) -> Result<Customer, Error> {
    let row: Option<CustomerRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.organization_id = $1 AND c.slug = $2")))
            .bind(organization_id)
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?;
    let row = row.ok_or_else(|| not_found(slug))?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

pub async fn find_by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<Customer, Error> {
    let row: CustomerRow =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.organization_id = $1 AND c.id = $2")))
            .bind(organization_id)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<CustomerRow>, Error> {
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.organization_id = $1 {}",
        PageRequest::keyset("c", 2)
    )));
    Ok(page.bind(query.bind(organization_id)).fetch_all(conn).await?)
}

#[derive(sqlx::FromRow)]
struct IntegrationRow {
    customer_id: Uuid,
    adapter: String,
    external_id: String,
    metadata: serde_json::Value,
    synced_at: DateTime<Utc>,
    last_error: Option<String>,
    web_url: Option<String>,
}

/// Rows to DTOs, with their integrations in one query.
pub async fn assemble(
    conn: &mut PgConnection,
    organization_id: Uuid,
    rows: Vec<CustomerRow>,
) -> Result<Vec<Customer>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let integrations: Vec<IntegrationRow> = sqlx::query_as(
        "SELECT customer_id, adapter, external_id, metadata, synced_at, last_error, web_url
           FROM customer_integration WHERE organization_id = $1 AND customer_id = ANY($2)",
    )
    .bind(organization_id)
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    let mut by_customer: HashMap<Uuid, BTreeMap<String, CustomerIntegration>> = HashMap::new();
    for i in integrations {
        let integration = CustomerIntegration {
            external_id: i.external_id,
            last_error: i.last_error,
            metadata: Some(i.metadata),
            synced_at: i.synced_at,
            web_url: i.web_url,
        };
        by_customer.entry(i.customer_id).or_default().insert(i.adapter, integration);
    }
    Ok(rows
        .into_iter()
        .map(|r| Customer {
            integrations: by_customer.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name: r.name,
            slug: r.slug,
            domain: r.domain,
            external_customer_id: r.external_customer_id,
            created_at: r.created_at,
            created_by: UserRef::new(r.created_by_id, r.created_by_name),
            updated_at: r.updated_at,
            updated_by: UserRef::new(r.updated_by_id, r.updated_by_name),
        })
        .collect())
}

pub async fn insert_integrations(
    conn: &mut PgConnection,
    organization_id: Uuid,
    customer_id: Uuid,
    integrations: &BTreeMap<String, IntegrationInput>,
) -> Result<(), Error> {
    for (adapter, integration) in integrations {
        sqlx::query(
            "INSERT INTO customer_integration (customer_id, organization_id, adapter, external_id, metadata, last_error, web_url)
             VALUES ($1, $2, $3, $4, COALESCE($5, '{}'::jsonb), $6, $7)",
        )
        .bind(customer_id)
        .bind(organization_id)
        .bind(adapter)
        .bind(&integration.external_id)
        .bind(&integration.metadata)
        .bind(&integration.last_error)
        .bind(&integration.web_url)
        .execute(&mut *conn)
        .await
        .map_err(|err| {
            if kaiten_kernel::error::is_constraint(&err, "customer_integration_external_key") {
                Error::conflict(
                    "CreateCustomer.IntegrationConflict",
                    format!("another customer is already linked to {adapter} record {}", integration.external_id),
                )
            } else {
                err.into()
            }
        })?;
    }
    Ok(())
}
