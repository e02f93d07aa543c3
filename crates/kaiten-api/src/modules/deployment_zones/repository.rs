//! Queries the deployment zone use cases share.

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::{Deployment, DeploymentZone};
use crate::modules::reference;
use crate::modules::user_ref::UserRef;

#[derive(sqlx::FromRow)]
struct ZoneRow {
    id: Uuid,
    name: String,
    slug: String,
    zone_type: String,
    description: String,
    metadata: serde_json::Value,
    release_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    created_by_id: Uuid,
    created_by_name: Option<String>,
    updated_at: DateTime<Utc>,
    updated_by_id: Uuid,
    updated_by_name: Option<String>,
}

impl From<ZoneRow> for DeploymentZone {
    fn from(r: ZoneRow) -> Self {
        DeploymentZone {
            id: r.id,
            name: r.name,
            slug: r.slug,
            zone_type: r.zone_type,
            description: r.description,
            metadata: r.metadata,
            release_id: r.release_id,
            created_at: r.created_at,
            created_by: UserRef::new(r.created_by_id, r.created_by_name),
            updated_at: r.updated_at,
            updated_by: UserRef::new(r.updated_by_id, r.updated_by_name),
        }
    }
}

const SELECT: &str = "SELECT z.id, z.name, z.slug, z.type AS zone_type, z.description, z.metadata, z.release_id,
        z.created_at, z.created_by_id, cu.name AS created_by_name,
        z.updated_at, z.updated_by_id, uu.name AS updated_by_name
   FROM deployment_zone z
   JOIN users cu ON cu.id = z.created_by_id
   JOIN users uu ON uu.id = z.updated_by_id";

pub async fn find(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<DeploymentZone, Error> {
    let row: Option<ZoneRow> =
        kaiten_kernel::scoped::find(&mut *conn, SELECT, "z", "slug", organization_id, slug, lock).await?;
    Ok(row.ok_or_else(|| Error::not_found(code, format!("Deployment zone with slug {slug:?} not found")))?.into())
}

pub async fn find_by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<DeploymentZone, Error> {
    let row: ZoneRow = kaiten_kernel::scoped::by_id(&mut *conn, SELECT, "z", organization_id, id).await?;
    Ok(row.into())
}

/// The organization's zones among `ids` (a batch read for GraphQL).
pub async fn by_ids(
    conn: &mut PgConnection,
    organization_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<DeploymentZone>, Error> {
    let rows: Vec<ZoneRow> = kaiten_kernel::scoped::many(conn, SELECT, "z", "id", organization_id, ids).await?;
    Ok(rows.into_iter().map(DeploymentZone::from).collect())
}

/// The zones each of `release_ids` was ever deployed to, each once per release, the one it
/// was deployed to last first (a batch read for GraphQL): `(release id, zone)`.
pub async fn deployed_with(
    conn: &mut PgConnection,
    organization_id: Uuid,
    release_ids: &[Uuid],
) -> Result<Vec<(Uuid, DeploymentZone)>, Error> {
    #[derive(sqlx::FromRow)]
    struct Deployed {
        deployed_release_id: Uuid,
        #[sqlx(flatten)]
        zone: ZoneRow,
    }
    let rows: Vec<Deployed> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH latest AS (
            SELECT DISTINCT ON (release_id, deployment_zone_id) release_id, deployment_zone_id, seq
              FROM deployment
             WHERE organization_id = $1 AND release_id = ANY($2)
             ORDER BY release_id, deployment_zone_id, seq DESC)
         SELECT latest.release_id AS deployed_release_id, zones.*
           FROM latest
           JOIN ({SELECT} WHERE z.organization_id = $1) zones ON zones.id = latest.deployment_zone_id
          ORDER BY latest.release_id, latest.seq DESC"
    )))
    .bind(organization_id)
    .bind(release_ids)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.deployed_release_id, r.zone.into())).collect())
}

/// The deployment log entries of each of `release_ids`, newest first, rollbacks included (a
/// batch read for GraphQL).
pub async fn deployments_of_releases(
    conn: &mut PgConnection,
    organization_id: Uuid,
    release_ids: &[Uuid],
) -> Result<Vec<Deployment>, Error> {
    #[derive(sqlx::FromRow)]
    struct DeploymentRow {
        id: Uuid,
        seq: i64,
        deployment_zone_id: Uuid,
        release_id: Uuid,
        created_at: DateTime<Utc>,
        created_by_id: Uuid,
        created_by_name: Option<String>,
    }
    let mut rows: Vec<DeploymentRow> = kaiten_kernel::scoped::many(
        conn,
        "SELECT d.id, d.seq, d.deployment_zone_id, d.release_id, d.created_at, d.created_by_id,
                u.name AS created_by_name
           FROM deployment d
           JOIN users u ON u.id = d.created_by_id",
        "d",
        "release_id",
        organization_id,
        release_ids,
    )
    .await?;
    rows.sort_unstable_by_key(|r| std::cmp::Reverse(r.seq));
    Ok(rows
        .into_iter()
        .map(|r| Deployment {
            id: r.id,
            deployment_zone_id: r.deployment_zone_id,
            release_id: r.release_id,
            created_at: r.created_at,
            created_by: UserRef::new(r.created_by_id, r.created_by_name),
        })
        .collect())
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<DeploymentZone>, Error> {
    let rows: Vec<ZoneRow> = page.fetch_of_organization(conn, SELECT, "z", organization_id).await?;
    Ok(rows.into_iter().map(DeploymentZone::from).collect())
}

pub fn cursor(zone: &DeploymentZone) -> Cursor {
    Cursor { created_at: zone.created_at, id: zone.id }
}

/// A zone named by id in a body (an instance's `deploymentZoneId`), within the organization.
pub async fn id_in_organization(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: &str,
    code: String,
) -> Result<Uuid, Error> {
    reference::resolve(conn, "deployment_zone", organization_id, id)
        .await?
        .ok_or_else(|| Error::not_found(code, format!("Deployment zone with ID {id} was not found")))
}
