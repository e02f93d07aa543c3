//! Queries the release use cases share. A release is always read with its components.

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::Release;
use crate::modules::components::repository as components;
use crate::modules::reference;
use crate::modules::user_ref::UserRef;

#[derive(sqlx::FromRow)]
pub struct ReleaseRow {
    id: Uuid,
    version: String,
    slug: String,
    description: Option<String>,
    created_at: DateTime<Utc>,
    created_by_id: Uuid,
    created_by_name: Option<String>,
}

impl ReleaseRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }
}

const SELECT: &str = "SELECT r.id, r.version, r.slug, r.description, r.created_at, r.created_by_id,
        u.name AS created_by_name
   FROM release r
   JOIN users u ON u.id = r.created_by_id";

pub async fn find(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<Release, Error> {
    let row: Option<ReleaseRow> =
        kaiten_kernel::scoped::find(&mut *conn, SELECT, "r", "slug", organization_id, slug, lock).await?;
    let row = row.ok_or_else(|| Error::not_found(code, format!("Release with slug {slug:?} not found")))?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

pub async fn find_by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<Release, Error> {
    let row: ReleaseRow = kaiten_kernel::scoped::by_id(&mut *conn, SELECT, "r", organization_id, id).await?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

/// The organization's releases among `ids`, assembled (a batch read for GraphQL).
pub async fn by_ids(conn: &mut PgConnection, organization_id: Uuid, ids: &[Uuid]) -> Result<Vec<Release>, Error> {
    let rows: Vec<ReleaseRow> =
        kaiten_kernel::scoped::many(&mut *conn, SELECT, "r", "id", organization_id, ids).await?;
    assemble(conn, organization_id, rows).await
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<ReleaseRow>, Error> {
    Ok(page.fetch_of_organization(conn, SELECT, "r", organization_id).await?)
}

/// Rows to resources, with the components of all of them in one query. A release without
/// components reads `components: []`.
pub async fn assemble(
    conn: &mut PgConnection,
    organization_id: Uuid,
    rows: Vec<ReleaseRow>,
) -> Result<Vec<Release>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_release = components::of_releases(conn, organization_id, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Release {
            components: Some(by_release.remove(&r.id).unwrap_or_default()),
            component_ids: None,
            id: r.id,
            version: r.version,
            slug: r.slug,
            description: r.description,
            created_at: r.created_at,
            created_by: UserRef::new(r.created_by_id, r.created_by_name),
        })
        .collect())
}

/// A release named by id in a body, within the organization.
pub async fn id_in_organization(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: &str,
    code: &'static str,
) -> Result<Uuid, Error> {
    reference::resolve(conn, "release", organization_id, id)
        .await?
        .ok_or_else(|| Error::not_found(code, format!("Release with ID {id} was not found")))
}
