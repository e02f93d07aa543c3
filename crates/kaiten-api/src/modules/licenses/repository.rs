//! Queries on license versions the use cases share.

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::{License, LicenseType, LifecycleState};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenseRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub r#type: LicenseType,
    pub version: i32,
    pub version_name: String,
    pub is_default: bool,
    pub lifecycle_state: LifecycleState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl LicenseRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }
}

impl From<LicenseRow> for License {
    fn from(r: LicenseRow) -> Self {
        License {
            id: r.id,
            name: r.name,
            slug: r.slug,
            description: r.description,
            r#type: r.r#type,
            version: r.version.to_string(),
            version_name: r.version_name,
            is_default: r.is_default,
            family_id: r.family_id,
            family_slug: None,
            lifecycle_state: r.lifecycle_state,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub const COLUMNS: &str = "id, family_id, name, slug, description, type, version, version_name, is_default,
        lifecycle_state, created_at, updated_at";

pub fn not_found(code: &'static str, slug: &str) -> Error {
    Error::not_found(code, format!("License with slug \"{slug}\" not found"))
}

/// The version, or `code` as a 404, locked as `lock` says until the transaction ends.
pub async fn row(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<LicenseRow, Error> {
    kaiten_kernel::scoped::find(
        conn,
        &format!("SELECT {COLUMNS} FROM license"),
        "license",
        "slug",
        organization_id,
        slug,
        lock,
    )
    .await?
    .ok_or_else(|| not_found(code, slug))
}

pub async fn by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<License, Error> {
    let row: LicenseRow =
        kaiten_kernel::scoped::by_id(conn, &format!("SELECT {COLUMNS} FROM license"), "license", organization_id, id)
            .await?;
    Ok(row.into())
}

/// The organization's license versions among `ids` (a batch read for GraphQL).
pub async fn by_ids(conn: &mut PgConnection, organization_id: Uuid, ids: &[Uuid]) -> Result<Vec<License>, Error> {
    let rows: Vec<LicenseRow> =
        kaiten_kernel::scoped::many(conn, &format!("SELECT {COLUMNS} FROM license"), "", "id", organization_id, ids)
            .await?;
    Ok(rows.into_iter().map(License::from).collect())
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<LicenseRow>, Error> {
    Ok(page.fetch_of_organization(conn, &format!("SELECT {COLUMNS} FROM license"), "", organization_id).await?)
}

/// Every version of a family, oldest first.
pub async fn versions_of(
    conn: &mut PgConnection,
    organization_id: Uuid,
    family_id: Uuid,
) -> Result<Vec<License>, Error> {
    let rows: Vec<LicenseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM license WHERE organization_id = $1 AND family_id = $2 ORDER BY version"
    )))
    .bind(organization_id)
    .bind(family_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(License::from).collect())
}
