//! License families: which version a family serves, its published view, and the events that
//! follow a change. Writers lock the family row first (then the version), so two changes to
//! one family never interleave and a version number is handed out exactly once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest, RowLock, Uow};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::modules::licenses::events;
use crate::modules::licenses::repository::{self, COLUMNS, LicenseRow};
use crate::modules::licenses::schema::{License, LicenseFamilyView};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FamilyRow {
    pub id: Uuid,
    pub slug: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FamilyRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }
}

const FAMILY_COLUMNS: &str = "f.id, f.slug, f.created_at, f.updated_at";

/// The slugs of the organization's families among `ids` (a batch read for GraphQL).
pub async fn slugs(
    conn: &mut PgConnection,
    organization_id: Uuid,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, Error> {
    let rows: Vec<FamilyRow> = kaiten_kernel::scoped::many(
        conn,
        &format!("SELECT {FAMILY_COLUMNS} FROM license_family f"),
        "f",
        "id",
        organization_id,
        ids,
    )
    .await?;
    Ok(rows.into_iter().map(|f| (f.id, f.slug)).collect())
}

pub async fn lock_by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<Option<FamilyRow>, Error> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FAMILY_COLUMNS} FROM license_family f WHERE f.organization_id = $1 AND f.id = $2 FOR UPDATE"
    )))
    .bind(organization_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn lock_by_slug(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
) -> Result<Option<FamilyRow>, Error> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FAMILY_COLUMNS} FROM license_family f WHERE f.organization_id = $1 AND f.slug = $2 FOR UPDATE"
    )))
    .bind(organization_id)
    .bind(slug)
    .fetch_optional(conn)
    .await?)
}

/// Locks the family of the version `slug`, then the version itself as `lock` says; `code` is
/// the 404.
pub async fn lock_version(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<(FamilyRow, LicenseRow), Error> {
    let family: Option<FamilyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FAMILY_COLUMNS} FROM license_family f JOIN license l ON l.family_id = f.id
          WHERE l.organization_id = $1 AND l.slug = $2 AND f.organization_id = $1 FOR UPDATE OF f"
    )))
    .bind(organization_id)
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await?;
    let family = family.ok_or_else(|| repository::not_found(code, slug))?;
    let version = repository::row(conn, organization_id, slug, code, lock).await?;
    Ok((family, version))
}

/// Hands out the family's next version number; a number is never given twice, even after
/// its version is deleted. Also locks the family row.
pub async fn next_version(conn: &mut PgConnection, organization_id: Uuid, family_id: Uuid) -> Result<i32, Error> {
    Ok(sqlx::query_scalar(
        "UPDATE license_family SET last_version = last_version + 1, updated_at = now()
          WHERE organization_id = $1 AND id = $2 RETURNING last_version",
    )
    .bind(organization_id)
    .bind(family_id)
    .fetch_one(conn)
    .await?)
}

/// The versions each family serves: its default, else its highest-numbered PUBLISHED one.
pub async fn served(
    conn: &mut PgConnection,
    organization_id: Uuid,
    family_ids: &[Uuid],
) -> Result<HashMap<Uuid, License>, Error> {
    let rows: Vec<LicenseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT ON (family_id) {COLUMNS} FROM license
          WHERE organization_id = $1 AND family_id = ANY($2) AND lifecycle_state = 'PUBLISHED'
          ORDER BY family_id, is_default DESC, version DESC"
    )))
    .bind(organization_id)
    .bind(family_ids)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.family_id, License::from(r))).collect())
}

async fn served_id(conn: &mut PgConnection, organization_id: Uuid, family_id: Uuid) -> Result<Option<Uuid>, Error> {
    Ok(served(conn, organization_id, &[family_id]).await?.remove(&family_id).map(|l| l.id))
}

/// How many versions each family has, whatever their state.
pub async fn version_counts(
    conn: &mut PgConnection,
    organization_id: Uuid,
    family_ids: &[Uuid],
) -> Result<HashMap<Uuid, i32>, Error> {
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT family_id, count(*) FROM license WHERE organization_id = $1 AND family_id = ANY($2) GROUP BY family_id",
    )
    .bind(organization_id)
    .bind(family_ids)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, n)| (id, i32::try_from(n).unwrap_or(i32::MAX))).collect())
}

/// Views of families, each with the version it serves (no history).
pub async fn views(
    conn: &mut PgConnection,
    organization_id: Uuid,
    families: Vec<FamilyRow>,
) -> Result<Vec<LicenseFamilyView>, Error> {
    let ids: Vec<Uuid> = families.iter().map(|f| f.id).collect();
    let mut current = served(conn, organization_id, &ids).await?;
    let counts = version_counts(conn, organization_id, &ids).await?;
    Ok(families
        .into_iter()
        .map(|f| LicenseFamilyView {
            current_version: current.remove(&f.id),
            version_count: counts.get(&f.id).copied().unwrap_or(0),
            versions: None,
            id: f.id,
            slug: f.slug,
            created_at: f.created_at,
            updated_at: f.updated_at,
        })
        .collect())
}

pub async fn view(conn: &mut PgConnection, organization_id: Uuid, family_id: Uuid) -> Result<LicenseFamilyView, Error> {
    let family: FamilyRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FAMILY_COLUMNS} FROM license_family f WHERE f.organization_id = $1 AND f.id = $2"
    )))
    .bind(organization_id)
    .bind(family_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(views(conn, organization_id, vec![family]).await?.remove(0))
}

/// The family `slug`, if the organization has one.
pub async fn by_slug(conn: &mut PgConnection, organization_id: Uuid, slug: &str) -> Result<Option<FamilyRow>, Error> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FAMILY_COLUMNS} FROM license_family f WHERE f.organization_id = $1 AND f.slug = $2"
    )))
    .bind(organization_id)
    .bind(slug)
    .fetch_optional(conn)
    .await?)
}

pub async fn page(conn: &mut PgConnection, organization_id: Uuid, page: &PageRequest) -> Result<Vec<FamilyRow>, Error> {
    Ok(page
        .fetch_of_organization(conn, &format!("SELECT {FAMILY_COLUMNS} FROM license_family f"), "f", organization_id)
        .await?)
}

/// What a family served before a change, so the change can tell whether it moved.
pub struct Served {
    family_id: Uuid,
    before: Option<Uuid>,
}

impl Served {
    /// Call with the family row locked, before changing any of its versions.
    pub async fn before(conn: &mut PgConnection, organization_id: Uuid, family_id: Uuid) -> Result<Self, Error> {
        Ok(Self { family_id, before: served_id(conn, organization_id, family_id).await? })
    }

    /// Records LICENSE_FAMILY_UPDATED if the family now serves another version (or none).
    pub async fn settle(self, uow: &mut Uow, organization_id: Uuid) -> Result<(), Error> {
        if served_id(uow.conn(), organization_id, self.family_id).await? != self.before {
            let view = view(uow.conn(), organization_id, self.family_id).await?;
            uow.record(organization_id, events::FAMILY_UPDATED.with(&view)).await?;
        }
        Ok(())
    }
}

/// Takes the default flag from every other version of the family and records LICENSE_UPDATED
/// for each: a family has at most one default.
pub async fn take_default(
    uow: &mut Uow,
    organization_id: Uuid,
    family_id: Uuid,
    keep: Option<Uuid>,
) -> Result<(), Error> {
    let demoted: Vec<LicenseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE license SET is_default = false, updated_at = now()
          WHERE organization_id = $1 AND family_id = $2 AND is_default AND id IS DISTINCT FROM $3
          RETURNING {COLUMNS}"
    )))
    .bind(organization_id)
    .bind(family_id)
    .bind(keep)
    .fetch_all(uow.conn())
    .await?;
    for license in demoted {
        uow.record(organization_id, events::UPDATED.with(&License::from(license))).await?;
    }
    Ok(())
}
