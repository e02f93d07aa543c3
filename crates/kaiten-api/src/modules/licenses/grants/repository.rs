//! Queries on grants the use cases share.

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::LicenseEntitlement;
use crate::modules::entitlements::kinds::EntitlementType;
use crate::modules::entitlements::repository::groups_of;
use crate::modules::entitlements::value::EntitlementValue;
use crate::modules::user_ref::UserRef;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    pub id: Uuid,
    pub entitlement_id: Uuid,
    pub entitlement_slug: String,
    entitlement_name: String,
    pub entitlement_type: EntitlementType,
    pub license_id: Uuid,
    license_slug: String,
    value: serde_json::Value,
    limit_cap_exceeded_overage_percent: Option<i16>,
    pub created_at: DateTime<Utc>,
    created_by_id: Uuid,
    created_by_name: Option<String>,
    updated_at: DateTime<Utc>,
    updated_by_id: Uuid,
    updated_by_name: Option<String>,
}

impl GrantRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }
}

const SELECT: &str = "SELECT le.id, e.id AS entitlement_id, e.slug AS entitlement_slug, e.name AS entitlement_name,
        e.type AS entitlement_type, l.id AS license_id, l.slug AS license_slug, le.value,
        le.limit_cap_exceeded_overage_percent, le.created_at, le.created_by_id, cu.name AS created_by_name,
        le.updated_at, le.updated_by_id, uu.name AS updated_by_name
   FROM license_entitlement le
   JOIN license l ON l.id = le.license_id AND l.organization_id = le.organization_id
   JOIN entitlement e ON e.id = le.entitlement_id AND e.organization_id = le.organization_id
   JOIN users cu ON cu.id = le.created_by_id
   JOIN users uu ON uu.id = le.updated_by_id";

/// The grant of `entitlement_slug` on `license_slug`, or `code` as a 404.
pub async fn row(
    conn: &mut PgConnection,
    organization_id: Uuid,
    license_slug: &str,
    entitlement_slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<GrantRow, Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE le.organization_id = $1 AND l.slug = $2 AND e.slug = $3 {}",
        lock.sql_of("le")
    )))
    .bind(organization_id)
    .bind(license_slug)
    .bind(entitlement_slug)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| {
        Error::not_found(
            code,
            format!("License entitlement not found for license {license_slug} and entitlement {entitlement_slug}"),
        )
    })
}

pub async fn by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<LicenseEntitlement, Error> {
    let row: GrantRow =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE le.organization_id = $1 AND le.id = $2")))
            .bind(organization_id)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

/// The grants of each license among `license_ids`, by entitlement display order (a batch read
/// for GraphQL).
pub async fn of_licenses(
    conn: &mut PgConnection,
    organization_id: Uuid,
    license_ids: &[Uuid],
) -> Result<Vec<LicenseEntitlement>, Error> {
    let mut rows: Vec<GrantRow> =
        kaiten_kernel::scoped::many(&mut *conn, SELECT, "le", "license_id", organization_id, license_ids).await?;
    rows.sort_by(|a, b| (a.license_id, &a.entitlement_slug).cmp(&(b.license_id, &b.entitlement_slug)));
    assemble(conn, organization_id, rows).await
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    license_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<GrantRow>, Error> {
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE le.organization_id = $1 AND le.license_id = $2 {}",
        PageRequest::keyset("le", 3)
    )));
    Ok(page.bind(query.bind(organization_id).bind(license_id)).fetch_all(conn).await?)
}

/// Rows to resources, with the groups of their entitlements in one query.
pub async fn assemble(
    conn: &mut PgConnection,
    organization_id: Uuid,
    rows: Vec<GrantRow>,
) -> Result<Vec<LicenseEntitlement>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.entitlement_id).collect();
    let groups = groups_of(conn, organization_id, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let value = EntitlementValue::from_stored(&r.value)
                .ok_or_else(|| Error::internal(format!("grant {} holds an unreadable value", r.id)))?;
            Ok(LicenseEntitlement {
                entitlement_groups: Some(groups.get(&r.entitlement_id).cloned().unwrap_or_default()),
                entitlement_slug: r.entitlement_slug,
                entitlement_name: r.entitlement_name,
                entitlement_type: r.entitlement_type,
                license_id: r.license_id,
                license_slug: r.license_slug,
                value,
                limit_cap_exceeded_overage_percent: r.limit_cap_exceeded_overage_percent.map(i32::from),
                created_by: UserRef::new(r.created_by_id, r.created_by_name),
                created_at: r.created_at,
                updated_by: UserRef::new(r.updated_by_id, r.updated_by_name),
                updated_at: r.updated_at,
            })
        })
        .collect()
}
