//! Queries the component use cases share, and the components of releases.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::OnConstraint;
use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::Component;
use crate::modules::user_ref::UserRef;

#[derive(sqlx::FromRow)]
pub struct ComponentRow {
    id: Uuid,
    name: String,
    version: String,
    slug: String,
    description: Option<String>,
    previous_component_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    created_by_id: Uuid,
    created_by_name: Option<String>,
}

impl From<ComponentRow> for Component {
    fn from(r: ComponentRow) -> Self {
        Component {
            id: r.id,
            name: r.name,
            version: r.version,
            slug: r.slug,
            description: r.description,
            previous_component_id: r.previous_component_id,
            created_at: r.created_at,
            created_by: UserRef::new(r.created_by_id, r.created_by_name),
        }
    }
}

const COLUMNS: &str = "c.id, c.name, c.version, c.slug, c.description, c.previous_component_id,
        c.created_at, c.created_by_id, u.name AS created_by_name";
const FROM: &str = "FROM component c JOIN users u ON u.id = c.created_by_id";

pub fn not_found(slug: &str) -> Error {
    Error::not_found("Component.NotFound", format!("Component with slug {slug:?} not found"))
}

pub fn id_not_found(id: &str) -> Error {
    Error::not_found("Component.NotFound", format!("Component with ID {id} not found"))
}

pub async fn find(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    lock: RowLock,
) -> Result<Component, Error> {
    let row: Option<ComponentRow> = kaiten_kernel::scoped::find(
        &mut *conn,
        &format!("SELECT {COLUMNS} {FROM}"),
        "c",
        "slug",
        organization_id,
        slug,
        lock,
    )
    .await?;
    Ok(row.ok_or_else(|| not_found(slug))?.into())
}

/// A component named by id in a body: another tenant's id, or no UUID at all, is as unknown as
/// a made-up one.
pub async fn find_by_id(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: &str,
    lock: RowLock,
) -> Result<Component, Error> {
    let Ok(uuid) = Uuid::parse_str(id) else { return Err(id_not_found(id)) };
    let row: Option<ComponentRow> = kaiten_kernel::scoped::find(
        &mut *conn,
        &format!("SELECT {COLUMNS} {FROM}"),
        "c",
        "id",
        organization_id,
        uuid,
        lock,
    )
    .await?;
    Ok(row.ok_or_else(|| id_not_found(id))?.into())
}

pub async fn page(conn: &mut PgConnection, organization_id: Uuid, page: &PageRequest) -> Result<Vec<Component>, Error> {
    let rows: Vec<ComponentRow> =
        page.fetch_of_organization(conn, &format!("SELECT {COLUMNS} {FROM}"), "c", organization_id).await?;
    Ok(rows.into_iter().map(Component::from).collect())
}

/// The organization's components among `ids` (a batch read for GraphQL).
pub async fn by_ids(conn: &mut PgConnection, organization_id: Uuid, ids: &[Uuid]) -> Result<Vec<Component>, Error> {
    let rows: Vec<ComponentRow> =
        kaiten_kernel::scoped::many(conn, &format!("SELECT {COLUMNS} {FROM}"), "c", "id", organization_id, ids).await?;
    Ok(rows.into_iter().map(Component::from).collect())
}

pub fn cursor(component: &Component) -> Cursor {
    Cursor { created_at: component.created_at, id: component.id }
}

/// How many releases link the component.
pub async fn link_count(conn: &mut PgConnection, component_id: Uuid) -> Result<i64, Error> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM component_release WHERE component_id = $1")
        .bind(component_id)
        .fetch_one(conn)
        .await?)
}

/// The components of each release, in the order the release was created with; one query.
pub async fn of_releases(
    conn: &mut PgConnection,
    organization_id: Uuid,
    release_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Component>>, Error> {
    #[derive(sqlx::FromRow)]
    struct Linked {
        release_id: Uuid,
        #[sqlx(flatten)]
        component: ComponentRow,
    }
    let rows: Vec<Linked> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, cr.release_id FROM component_release cr
           JOIN component c ON c.id = cr.component_id AND c.organization_id = cr.organization_id
           JOIN users u ON u.id = c.created_by_id
          WHERE cr.organization_id = $1 AND cr.release_id = ANY($2)
          ORDER BY cr.release_id, cr.position"
    )))
    .bind(organization_id)
    .bind(release_ids)
    .fetch_all(conn)
    .await?;
    let mut by_release: HashMap<Uuid, Vec<Component>> = HashMap::new();
    for row in rows {
        by_release.entry(row.release_id).or_default().push(row.component.into());
    }
    Ok(by_release)
}

/// The component writes can collide on `(org, slug)` and on `(org, name, version)`.
pub fn on_conflicts<T>(written: Result<T, sqlx::Error>, slug: &str, name: &str, version: &str) -> Result<T, Error> {
    written.on_constraint("component_org_slug_key", || slug_conflict(slug)).on_constraint(
        "component_org_name_version_key",
        || {
            Error::conflict(
                "Component.NameVersionConflict",
                format!("Component with name {name:?} and version {version:?} already exists in this organization"),
            )
        },
    )
}

pub fn slug_conflict(slug: &str) -> Error {
    Error::conflict(
        "Component.SlugConflict",
        format!("Component with slug {slug:?} already exists in this organization"),
    )
}
