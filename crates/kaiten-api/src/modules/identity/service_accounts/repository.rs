//! Queries the service-account use cases (and the token ones) share.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::modules::identity::schema::{ServiceAccount, Token};
use crate::modules::identity::tokens::repository as store;
use crate::modules::user_ref::UserRef;

pub fn not_found(slug: &str) -> Error {
    Error::not_found("ServiceAccount.NotFound", format!("service account {slug} not found"))
}

/// The id of a live service account of the organization.
pub async fn find_id(conn: &mut PgConnection, organization_id: Uuid, slug: &str) -> Result<Uuid, Error> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM users WHERE organization_id = $1 AND slug = $2 AND type = 'machine' AND deleted_at IS NULL",
    )
    .bind(organization_id)
    .bind(slug)
    .fetch_optional(conn)
    .await?;
    id.ok_or_else(|| not_found(slug))
}

#[derive(sqlx::FromRow)]
pub struct AccountRow {
    id: Uuid,
    name: String,
    slug: String,
    external_id: String,
    created_at: DateTime<Utc>,
    created_by_id: Option<Uuid>,
    created_by_name: Option<String>,
}

impl AccountRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }
}

const SELECT: &str =
    "SELECT u.id, u.name, u.slug, u.external_id, u.created_at, u.created_by_id, cb.name AS created_by_name
   FROM users u LEFT JOIN users cb ON cb.id = u.created_by_id";

pub async fn find(conn: &mut PgConnection, organization_id: Uuid, slug: &str) -> Result<ServiceAccount, Error> {
    let row: Option<AccountRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE u.organization_id = $1 AND u.slug = $2 AND u.type = 'machine' AND u.deleted_at IS NULL"
    )))
    .bind(organization_id)
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await?;
    let row = row.ok_or_else(|| not_found(slug))?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<AccountRow>, Error> {
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE u.organization_id = $1 AND u.type = 'machine' AND u.deleted_at IS NULL {}",
        PageRequest::keyset("u", 2)
    )));
    Ok(page.bind(query.bind(organization_id)).fetch_all(conn).await?)
}

/// Rows to DTOs, with their active tokens in one query.
pub async fn assemble(
    conn: &mut PgConnection,
    organization_id: Uuid,
    rows: Vec<AccountRow>,
) -> Result<Vec<ServiceAccount>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut tokens: HashMap<Uuid, Vec<Token>> = HashMap::new();
    for token in store::active_of(conn, organization_id, &ids).await?.into_iter().map(store::TokenRow::into_token) {
        if let Some(owner) = token.service_account_id {
            tokens.entry(owner).or_default().push(token);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| ServiceAccount {
            tokens: tokens.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name: r.name,
            slug: r.slug,
            external_id: r.external_id,
            created_at: r.created_at,
            created_by: r.created_by_id.map(|id| UserRef::new(id, r.created_by_name)),
        })
        .collect())
}
