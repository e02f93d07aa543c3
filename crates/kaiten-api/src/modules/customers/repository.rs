//! Queries the customer use cases share.

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, OnConstraint, PageRequest, slug};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::{Customer, CustomerInput};
use crate::modules::integrations::{self, Owner};
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
    let row: CustomerRow = kaiten_kernel::scoped::by_id(&mut *conn, SELECT, "c", organization_id, id).await?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

/// The organization's customers among `ids` (a batch read for GraphQL).
pub async fn by_ids(conn: &mut PgConnection, organization_id: Uuid, ids: &[Uuid]) -> Result<Vec<Customer>, Error> {
    let rows: Vec<CustomerRow> =
        kaiten_kernel::scoped::many(&mut *conn, SELECT, "c", "id", organization_id, ids).await?;
    assemble(conn, organization_id, rows).await
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<CustomerRow>, Error> {
    page_with(conn, organization_id, page, None).await
}

/// A page of customers, only those linked to `adapter` when one is given.
pub async fn page_with(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
    adapter: Option<&str>,
) -> Result<Vec<CustomerRow>, Error> {
    integrations::page_linked(conn, Owner::Customer, (SELECT, "c"), organization_id, page, adapter).await
}

/// The organization's customers carrying `external_id` (the column is not unique).
pub async fn by_external_id(
    conn: &mut PgConnection,
    organization_id: Uuid,
    external_id: &str,
) -> Result<Vec<Customer>, Error> {
    let rows: Vec<CustomerRow> =
        kaiten_kernel::scoped::many(&mut *conn, SELECT, "c", "external_customer_id", organization_id, &[external_id])
            .await?;
    assemble(conn, organization_id, rows).await
}

/// Rows to DTOs, with their integrations in one query.
pub async fn assemble(
    conn: &mut PgConnection,
    organization_id: Uuid,
    rows: Vec<CustomerRow>,
) -> Result<Vec<Customer>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_customer = integrations::load(conn, Owner::Customer, organization_id, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Customer {
            integrations: integrations::take(&mut by_customer, r.id),
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

/// Inserts with the caller's slug (a collision is `{operation}.SlugConflict`) or a generated one
/// (retried).
pub async fn insert(
    conn: &mut PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
    input: &CustomerInput,
    operation: &str,
) -> Result<Uuid, Error> {
    let mut claimed = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        let candidate = candidate.as_str();
        claimed = sqlx::query_scalar(
            "INSERT INTO customer (organization_id, name, slug, domain, external_customer_id, created_by_id, updated_by_id)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(candidate)
        .bind(&input.domain)
        .bind(&input.external_customer_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
        if claimed.is_some() {
            break;
        }
    }
    claimed
        .ok_or_else(|| Error::conflict(format!("{operation}.SlugConflict"), "a customer with this slug already exists"))
}

/// The fields of a customer an update writes.
pub struct Change<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub domain: Option<&'a str>,
    pub external_customer_id: Option<&'a str>,
}

/// Writes `change` over customer `id`; a slug taken by another customer is
/// `{operation}.SlugConflict`.
pub async fn update(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    change: Change<'_>,
    operation: &str,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE customer SET name = $3, slug = $4, domain = $5, external_customer_id = $6, updated_at = now(),
                updated_by_id = $7
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(id)
    .bind(change.name)
    .bind(change.slug)
    .bind(change.domain)
    .bind(change.external_customer_id)
    .bind(user_id)
    .execute(conn)
    .await
    .on_constraint("customer_org_slug_key", || {
        Error::conflict(
            format!("{operation}.SlugConflict"),
            format!("a customer with slug {} already exists", change.slug),
        )
    })?;
    Ok(())
}

/// Records `CUSTOMER_CREATED` with the customer, for a use case outside this module that
/// creates one (the integration upsert).
pub async fn record_created(
    uow: &mut kaiten_kernel::Uow,
    organization_id: Uuid,
    customer: &Customer,
) -> Result<(), Error> {
    uow.record(organization_id, super::events::CREATED.with(customer)).await
}

/// Records `CUSTOMER_UPDATED` with the customer as it now is.
pub async fn record_updated(
    uow: &mut kaiten_kernel::Uow,
    organization_id: Uuid,
    customer: &Customer,
) -> Result<(), Error> {
    uow.record(organization_id, super::events::UPDATED.with(customer)).await
}
