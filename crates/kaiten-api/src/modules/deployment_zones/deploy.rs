//! Deploying: pointing a zone at a release. Runs inside the caller's transaction, after the
//! zone row is locked or inserted, so entries of one zone are logged in the order they happen.

use chrono::{DateTime, Utc};
use kaiten_kernel::{Error, Uow};
use uuid::Uuid;

use super::events;
use super::schema::Deployment;
use crate::modules::releases::repository as releases;
use crate::modules::user_ref::UserRef;

/// The release a body names, resolved within the organization.
pub async fn release(uow: &mut Uow, organization_id: Uuid, id: &str) -> Result<Uuid, Error> {
    releases::id_in_organization(uow.conn(), organization_id, id, "CreateDeployment.ReleaseNotFound").await
}

/// Appends the deployment to the zone's log and records `RELEASE_DEPLOYED`.
pub async fn record(
    uow: &mut Uow,
    organization_id: Uuid,
    zone_id: Uuid,
    release_id: Uuid,
    user_id: Uuid,
) -> Result<Deployment, Error> {
    let (id, created_at, name): (Uuid, DateTime<Utc>, Option<String>) = sqlx::query_as(
        "WITH d AS (
            INSERT INTO deployment (organization_id, deployment_zone_id, release_id, created_by_id)
            VALUES ($1, $2, $3, $4) RETURNING id, created_at, created_by_id)
         SELECT d.id, d.created_at, u.name FROM d JOIN users u ON u.id = d.created_by_id",
    )
    .bind(organization_id)
    .bind(zone_id)
    .bind(release_id)
    .bind(user_id)
    .fetch_one(uow.conn())
    .await?;
    let deployment =
        Deployment { id, deployment_zone_id: zone_id, release_id, created_at, created_by: UserRef::new(user_id, name) };
    uow.record(organization_id, events::RELEASE_DEPLOYED.with(&deployment)).await?;
    Ok(deployment)
}
