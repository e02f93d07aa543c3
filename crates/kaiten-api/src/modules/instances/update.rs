use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::OnConstraint;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::schema::{Instance, InstanceInput};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::integrations::{self, Owner};

/// Update an instance
///
/// Update an instance with the provided details: a full replacement of name, description,
/// customer, license, license dates and metadata. Leaving out `slug` or `deploymentZoneId` keeps
/// the current value; a new `slug` renames. Status and lifecycle stage change through PATCH;
/// integrations through the integration endpoints (they may be sent back as read).
#[utoipa::path(
    put, path = "/instances/{instanceSlug}", operation_id = "updateInstance", tag = "instances",
    params(("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug")),
    request_body = Instance,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ValidJson(input): ValidJson<InstanceInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let current =
        repository::row(uow.conn(), organization_id, &slug, "UpdateInstance.NotFound", RowLock::Update).await?;
    let stored = integrations::load(uow.conn(), Owner::Instance, organization_id, &[current.id]).await?;
    let stored = stored.get(&current.id).cloned().unwrap_or_default();
    if !integrations::echoes(input.integrations.as_ref(), &stored, |s| s.external_id.as_str()) {
        return Err(Error::bad_request(
            "UpdateInstance.IntegrationsNotSettable",
            "integrations are changed through the integration endpoints",
        ));
    }
    let refs =
        repository::references(uow.conn(), organization_id, &input, Some(current.license_id), "UpdateInstance").await?;
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
    .bind(caller.user_id)
    .bind(zone)
    .execute(uow.conn())
    .await
    .on_constraint("instance_org_slug_key", || slug_conflict(&new_slug))?;
    if updated.rows_affected() == 0 {
        return Err(slug_conflict(&new_slug));
    }
    let instance: Instance = repository::by_id(uow.conn(), organization_id, current.id).await?;
    uow.record(organization_id, events::UPDATED.with(&instance).about_instance(current.id)).await?;
    // Into a zone from none is a deployment; from one zone to another, a migration.
    if zone != current.deployment_zone_id {
        let kind = if current.deployment_zone_id.is_none() { events::DEPLOYED } else { events::MIGRATED };
        uow.record(organization_id, kind.with(&instance).about_instance(current.id)).await?;
    }
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn slug_conflict(slug: &str) -> Error {
    Error::conflict("UpdateInstance.SlugConflict", format!("an instance with slug {slug} already exists"))
}
