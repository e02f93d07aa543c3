//! Queries the entitlement use cases share.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::kinds::{AggregationMethod, EntitlementType, ResetAnchor, ResetPeriod};
use super::schema::{Entitlement, EntitlementGroupSummary};
use super::settings::Settings;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntitlementRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub r#type: EntitlementType,
    pub aggregation_method: Option<AggregationMethod>,
    pub icon: Option<String>,
    pub unit_singular: Option<String>,
    pub unit_plural: Option<String>,
    pub sale_unit_singular: Option<String>,
    pub sale_unit_plural: Option<String>,
    pub sale_unit_factor: Option<f64>,
    pub user_facing: bool,
    pub display_order: i32,
    pub warning_threshold_percent: i16,
    pub reset_period: Option<ResetPeriod>,
    pub reset_anchor: Option<ResetAnchor>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EntitlementRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }

    /// As a resource, with the groups it belongs to.
    pub fn into_resource(self, groups: Vec<EntitlementGroupSummary>) -> Entitlement {
        Entitlement {
            id: self.id,
            name: self.name,
            slug: self.slug,
            description: self.description,
            r#type: self.r#type,
            aggregation_method: self.aggregation_method,
            icon: self.icon,
            unit_singular: self.unit_singular,
            unit_plural: self.unit_plural,
            sale_unit_singular: self.sale_unit_singular,
            sale_unit_plural: self.sale_unit_plural,
            sale_unit_factor: self.sale_unit_factor,
            user_facing: self.user_facing,
            display_order: self.display_order,
            warning_threshold_percent: i32::from(self.warning_threshold_percent),
            reset_period: self.reset_period,
            reset_anchor: self.reset_anchor,
            entitlement_groups: Some(groups),
            group_slugs: None,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

const COLUMNS: &str = "id, name, slug, description, type, aggregation_method, icon, unit_singular, unit_plural,
        sale_unit_singular, sale_unit_plural, sale_unit_factor, user_facing, display_order,
        warning_threshold_percent, reset_period, reset_anchor, created_at, updated_at";

pub fn not_found(code: &'static str, slug: &str) -> Error {
    Error::not_found(code, format!("entitlement {slug} not found"))
}

/// The row, or `code` as a 404, locked as `lock` says until the transaction ends.
pub async fn row(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<EntitlementRow, Error> {
    let select = format!("SELECT {COLUMNS} FROM entitlement");
    kaiten_kernel::scoped::find(conn, &select, "entitlement", "slug", organization_id, slug, lock)
        .await?
        .ok_or_else(|| not_found(code, slug))
}

pub async fn find(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
) -> Result<Entitlement, Error> {
    let row = row(conn, organization_id, slug, code, RowLock::None).await?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

pub async fn find_by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<Entitlement, Error> {
    let select = format!("SELECT {COLUMNS} FROM entitlement");
    let row: EntitlementRow =
        kaiten_kernel::scoped::by_id(&mut *conn, &select, "entitlement", organization_id, id).await?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

/// The organization's entitlements among `slugs`, with their groups (a batch read for GraphQL).
pub async fn by_slugs(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slugs: &[String],
) -> Result<Vec<Entitlement>, Error> {
    let rows: Vec<EntitlementRow> = kaiten_kernel::scoped::many(
        &mut *conn,
        &format!("SELECT {COLUMNS} FROM entitlement"),
        "",
        "slug",
        organization_id,
        slugs,
    )
    .await?;
    assemble(conn, organization_id, rows).await
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<EntitlementRow>, Error> {
    Ok(page.fetch_of_organization(conn, &format!("SELECT {COLUMNS} FROM entitlement"), "", organization_id).await?)
}

/// The groups of each entitlement, in one query, ordered by slug.
pub async fn groups_of(
    conn: &mut PgConnection,
    organization_id: Uuid,
    entitlement_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<EntitlementGroupSummary>>, Error> {
    #[derive(sqlx::FromRow)]
    struct Member {
        entitlement_id: Uuid,
        id: Uuid,
        name: String,
        slug: String,
    }
    let members: Vec<Member> = sqlx::query_as(
        "SELECT m.entitlement_id, g.id, g.name, g.slug
           FROM entitlement_group_membership m
           JOIN entitlement_group g ON g.id = m.group_id AND g.organization_id = m.organization_id
          WHERE m.organization_id = $1 AND m.entitlement_id = ANY($2)
          ORDER BY g.slug",
    )
    .bind(organization_id)
    .bind(entitlement_ids)
    .fetch_all(conn)
    .await?;
    let mut by_entitlement: HashMap<Uuid, Vec<EntitlementGroupSummary>> = HashMap::new();
    for m in members {
        by_entitlement.entry(m.entitlement_id).or_default().push(EntitlementGroupSummary {
            id: m.id,
            name: m.name,
            slug: m.slug,
        });
    }
    Ok(by_entitlement)
}

pub async fn assemble(
    conn: &mut PgConnection,
    organization_id: Uuid,
    rows: Vec<EntitlementRow>,
) -> Result<Vec<Entitlement>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut groups = groups_of(conn, organization_id, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let of = groups.remove(&r.id).unwrap_or_default();
            r.into_resource(of)
        })
        .collect())
}

/// Makes the entitlement's groups exactly `slugs` (trimmed, blanks and repeats ignored).
/// An unknown slug is `code` as a 404, before anything changes.
pub async fn set_groups(
    conn: &mut PgConnection,
    organization_id: Uuid,
    entitlement_id: Uuid,
    slugs: &[String],
    code: &'static str,
) -> Result<(), Error> {
    let mut wanted: Vec<&str> = slugs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let found: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, slug FROM entitlement_group WHERE organization_id = $1 AND slug = ANY($2) FOR KEY SHARE",
    )
    .bind(organization_id)
    .bind(&wanted)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(missing) = wanted.iter().find(|w| !found.iter().any(|(_, s)| s == *w)) {
        return Err(Error::not_found(code, format!("entitlement group {missing} not found")));
    }
    let ids: Vec<Uuid> = found.into_iter().map(|(id, _)| id).collect();
    sqlx::query(
        "DELETE FROM entitlement_group_membership
          WHERE organization_id = $1 AND entitlement_id = $2 AND NOT (group_id = ANY($3))",
    )
    .bind(organization_id)
    .bind(entitlement_id)
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO entitlement_group_membership (group_id, entitlement_id, organization_id)
         SELECT unnest($3::uuid[]), $2, $1 ON CONFLICT DO NOTHING",
    )
    .bind(organization_id)
    .bind(entitlement_id)
    .bind(&ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes `settings` (and the name and description) over the entitlement `id`.
pub async fn write_settings(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
    name: &str,
    description: Option<&str>,
    s: &Settings,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE entitlement SET name = $3, description = $4, icon = $5, unit_singular = $6, unit_plural = $7,
                sale_unit_singular = $8, sale_unit_plural = $9, sale_unit_factor = $10, user_facing = $11,
                display_order = $12, warning_threshold_percent = $13, reset_period = $14, reset_anchor = $15,
                updated_at = now()
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(id)
    .bind(name)
    .bind(description)
    .bind(&s.icon)
    .bind(&s.unit_singular)
    .bind(&s.unit_plural)
    .bind(&s.sale_unit_singular)
    .bind(&s.sale_unit_plural)
    .bind(s.sale_unit_factor)
    .bind(s.user_facing)
    .bind(s.display_order)
    .bind(i16::try_from(s.warning_threshold_percent).unwrap_or(0))
    .bind(s.reset_period)
    .bind(s.reset_anchor)
    .execute(conn)
    .await?;
    Ok(())
}
