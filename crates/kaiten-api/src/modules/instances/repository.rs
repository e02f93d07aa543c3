//! Queries the instance use cases share.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, OnConstraint, PageRequest, RowLock, Uow, slug};
use sqlx::PgConnection;
use uuid::Uuid;

use super::events;
use super::schema::{Instance, InstanceInput, InstanceStatus};
use crate::modules::customers::schema::IntegrationInput;
use crate::modules::deployment_zones::repository as zones;
use crate::modules::integrations::{self, Owner};
use crate::modules::licenses::schema::LifecycleState;
use crate::modules::reference;
use crate::modules::user_ref::UserRef;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstanceRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub customer_id: Uuid,
    customer_slug: String,
    pub license_id: Uuid,
    license_slug: String,
    pub deployment_zone_id: Option<Uuid>,
    deployment_zone_slug: Option<String>,
    pub start_license_date: DateTime<Utc>,
    pub end_license_date: DateTime<Utc>,
    pub metadata: serde_json::Value,
    pub status: InstanceStatus,
    pub lifecycle_stage: Option<String>,
    pub created_at: DateTime<Utc>,
    created_by_id: Uuid,
    created_by_name: Option<String>,
    updated_at: DateTime<Utc>,
    updated_by_id: Uuid,
    updated_by_name: Option<String>,
}

impl InstanceRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }
}

const SELECT: &str = "SELECT i.id, i.name, i.slug, i.description, i.customer_id, c.slug AS customer_slug,
        i.license_id, l.slug AS license_slug, i.deployment_zone_id, z.slug AS deployment_zone_slug, i.start_license_date, i.end_license_date,
        i.metadata, i.status, i.lifecycle_stage, i.created_at, i.created_by_id, cu.name AS created_by_name,
        i.updated_at, i.updated_by_id, uu.name AS updated_by_name
   FROM instance i
   JOIN customer c ON c.id = i.customer_id AND c.organization_id = i.organization_id
   JOIN license l ON l.id = i.license_id AND l.organization_id = i.organization_id
   LEFT JOIN deployment_zone z ON z.id = i.deployment_zone_id AND z.organization_id = i.organization_id
   JOIN users cu ON cu.id = i.created_by_id
   JOIN users uu ON uu.id = i.updated_by_id";

pub fn not_found(code: &'static str, slug: &str) -> Error {
    Error::not_found(code, format!("instance {slug} not found"))
}

/// The row, or `code` as a 404, locked as `lock` says.
pub async fn row(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<InstanceRow, Error> {
    kaiten_kernel::scoped::find(conn, SELECT, "i", "slug", organization_id, slug, lock)
        .await?
        .ok_or_else(|| not_found(code, slug))
}

/// The row with this id, or `code` as a 404, locked as `lock` says.
pub async fn row_by_id(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
    code: &'static str,
    lock: RowLock,
) -> Result<InstanceRow, Error> {
    kaiten_kernel::scoped::find(conn, SELECT, "i", "id", organization_id, id, lock)
        .await?
        .ok_or_else(|| Error::not_found(code, format!("instance {id} not found")))
}

pub async fn by_id(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<Instance, Error> {
    let row: InstanceRow = kaiten_kernel::scoped::by_id(&mut *conn, SELECT, "i", organization_id, id).await?;
    Ok(assemble(conn, organization_id, vec![row]).await?.remove(0))
}

/// The organization's instances whose `column` (`id`, `customer_id`, `license_id`) is among
/// `keys`, oldest first (a batch read for GraphQL).
pub async fn with(
    conn: &mut PgConnection,
    organization_id: Uuid,
    column: &'static str,
    keys: &[Uuid],
) -> Result<Vec<Instance>, Error> {
    let mut rows: Vec<InstanceRow> =
        kaiten_kernel::scoped::many(&mut *conn, SELECT, "i", column, organization_id, keys).await?;
    rows.sort_by_key(|r| (r.created_at, r.id));
    assemble(conn, organization_id, rows).await
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<InstanceRow>, Error> {
    page_with(conn, organization_id, page, None).await
}

/// A page of instances, only those linked to `adapter` when one is given.
pub async fn page_with(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
    adapter: Option<&str>,
) -> Result<Vec<InstanceRow>, Error> {
    integrations::page_linked(conn, Owner::Instance, (SELECT, "i"), organization_id, page, adapter).await
}

/// The organization's instance `slug`, if there is one (none or one element).
pub async fn with_slug(conn: &mut PgConnection, organization_id: Uuid, slug: &str) -> Result<Vec<Instance>, Error> {
    let rows: Vec<InstanceRow> =
        kaiten_kernel::scoped::many(&mut *conn, SELECT, "i", "slug", organization_id, &[slug]).await?;
    assemble(conn, organization_id, rows).await
}

/// Rows to resources, with their integrations in one query.
pub async fn assemble(
    conn: &mut PgConnection,
    organization_id: Uuid,
    rows: Vec<InstanceRow>,
) -> Result<Vec<Instance>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_instance = integrations::load(conn, Owner::Instance, organization_id, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Instance {
            integrations: integrations::take(&mut by_instance, r.id),
            id: r.id,
            name: r.name,
            slug: r.slug,
            description: r.description,
            customer_id: r.customer_id,
            customer_slug: r.customer_slug,
            license_id: r.license_id,
            license_slug: r.license_slug,
            deployment_zone_id: r.deployment_zone_id,
            deployment_zone_slug: r.deployment_zone_slug,
            start_license_date: r.start_license_date,
            end_license_date: r.end_license_date,
            metadata: r.metadata,
            status: r.status,
            lifecycle_stage: r.lifecycle_stage,
            created_at: r.created_at,
            created_by: UserRef::new(r.created_by_id, r.created_by_name),
            updated_at: r.updated_at,
            updated_by: UserRef::new(r.updated_by_id, r.updated_by_name),
        })
        .collect())
}

/// What an instance body refers to, resolved within the organization.
pub struct References {
    pub customer: Uuid,
    pub license: Uuid,
    /// `None` when the body leaves the zone out.
    pub zone: Option<Uuid>,
}

/// The customer, license and zone a body names, resolved within the organization (another
/// tenant's id is as unknown as a made-up one) and held until commit. `current_license` is the
/// license the instance already runs on, which it may keep even once archived. `operation`
/// prefixes the codes (`CreateInstance.LicenseNotFound`, …).
pub async fn references(
    conn: &mut PgConnection,
    organization_id: Uuid,
    input: &InstanceInput,
    current_license: Option<Uuid>,
    operation: &str,
) -> Result<References, Error> {
    let not_found = |what: &str, id: &str| {
        Error::not_found(format!("{operation}.{what}NotFound"), format!("{} {id} not found", what.to_lowercase()))
    };
    if input.end_license_date <= input.start_license_date {
        return Err(Error::bad_request(
            format!("{operation}.InvalidLicenseDates"),
            "endLicenseDate must be after startLicenseDate",
        ));
    }
    let customer = reference::resolve(conn, "customer", organization_id, &input.customer_id).await?;
    let customer = customer.ok_or_else(|| not_found("Customer", &input.customer_id))?;
    let license: Option<(Uuid, LifecycleState)> = match Uuid::parse_str(&input.license_id).ok() {
        Some(id) => {
            sqlx::query_as("SELECT id, lifecycle_state FROM license WHERE organization_id = $1 AND id = $2 FOR SHARE")
                .bind(organization_id)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let (license, state) = license.ok_or_else(|| not_found("License", &input.license_id))?;
    if state == LifecycleState::Archived && current_license != Some(license) {
        return Err(Error::unprocessable_rule(
            format!("{operation}.LicenseArchived"),
            "an archived license version cannot be assigned to an instance; unarchive it or choose another version",
        ));
    }
    let zone = match &input.deployment_zone_id {
        Some(id) => Some(
            zones::id_in_organization(conn, organization_id, id, format!("{operation}.DeploymentZoneNotFound")).await?,
        ),
        None => None,
    };
    Ok(References { customer, license, zone })
}

/// Creates an instance from `input` with its links, and records its events (`INSTANCE_CREATED`,
/// and `INSTANCE_DEPLOYED` when it starts in a zone). `operation` prefixes the codes; a record
/// already linked to another instance is `integration_conflict`.
pub async fn create(
    uow: &mut Uow,
    organization_id: Uuid,
    user_id: Uuid,
    input: &InstanceInput,
    integrations: &BTreeMap<String, IntegrationInput>,
    (operation, integration_conflict): (&str, &'static str),
) -> Result<Instance, Error> {
    let refs = references(uow.conn(), organization_id, input, None, operation).await?;
    let metadata = input.metadata.clone().unwrap_or_else(|| serde_json::json!({}));
    let mut claimed: Option<Uuid> = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        claimed = sqlx::query_scalar(
            "INSERT INTO instance (organization_id, name, slug, description, customer_id, license_id,
                                   start_license_date, end_license_date, metadata, deployment_zone_id, created_by_id, updated_by_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(&candidate)
        .bind(&input.description)
        .bind(refs.customer)
        .bind(refs.license)
        .bind(input.start_license_date)
        .bind(input.end_license_date)
        .bind(&metadata)
        .bind(refs.zone)
        .bind(user_id)
        .fetch_optional(uow.conn())
        .await?;
        if claimed.is_some() {
            break;
        }
    }
    let id = claimed.ok_or_else(|| {
        Error::conflict(format!("{operation}.SlugConflict"), "an instance with this slug already exists")
    })?;
    integrations::insert(uow.conn(), Owner::Instance, organization_id, id, integrations, integration_conflict).await?;
    let instance = by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::CREATED.with(&instance).about_instance(id)).await?;
    if refs.zone.is_some() {
        uow.record(organization_id, events::DEPLOYED.with(&instance).about_instance(id)).await?;
    }
    Ok(instance)
}

/// Writes `input` over the instance `current` (a full replacement, except that a missing slug
/// or zone keeps the current one) and records `INSTANCE_UPDATED`, and `INSTANCE_DEPLOYED` or
/// `INSTANCE_MIGRATED` when the zone changes. The links are left as they are.
pub async fn update(
    uow: &mut Uow,
    organization_id: Uuid,
    user_id: Uuid,
    current: &InstanceRow,
    input: &InstanceInput,
    operation: &str,
) -> Result<Instance, Error> {
    let refs = references(uow.conn(), organization_id, input, Some(current.license_id), operation).await?;
    // Left out, the zone is kept; it cannot be cleared here.
    let zone = refs.zone.or(current.deployment_zone_id);
    let new_slug = input.slug.clone().unwrap_or_else(|| current.slug.clone());
    let metadata = input.metadata.clone().unwrap_or_else(|| serde_json::json!({}));
    let updated = sqlx::query(
        "UPDATE instance SET name = $3, slug = $4, description = $5, customer_id = $6, license_id = $7,
                start_license_date = $8, end_license_date = $9, metadata = $10, deployment_zone_id = $12,
                updated_by_id = $11, updated_at = now()
          WHERE organization_id = $1 AND id = $2
            AND NOT EXISTS (SELECT 1 FROM instance o WHERE o.organization_id = $1 AND o.slug = $4 AND o.id <> $2)",
    )
    .bind(organization_id)
    .bind(current.id)
    .bind(&input.name)
    .bind(&new_slug)
    .bind(&input.description)
    .bind(refs.customer)
    .bind(refs.license)
    .bind(input.start_license_date)
    .bind(input.end_license_date)
    .bind(&metadata)
    .bind(user_id)
    .bind(zone)
    .execute(uow.conn())
    .await
    .on_constraint("instance_org_slug_key", || slug_conflict(operation, &new_slug))?;
    if updated.rows_affected() == 0 {
        return Err(slug_conflict(operation, &new_slug));
    }
    let instance: Instance = by_id(uow.conn(), organization_id, current.id).await?;
    uow.record(organization_id, events::UPDATED.with(&instance).about_instance(current.id)).await?;
    // Into a zone from none is a deployment; from one zone to another, a migration.
    if zone != current.deployment_zone_id {
        let kind = if current.deployment_zone_id.is_none() { events::DEPLOYED } else { events::MIGRATED };
        uow.record(organization_id, kind.with(&instance).about_instance(current.id)).await?;
    }
    Ok(instance)
}

fn slug_conflict(operation: &str, slug: &str) -> Error {
    Error::conflict(format!("{operation}.SlugConflict"), format!("an instance with slug {slug} already exists"))
}
