use async_graphql::{Context, Object};

use super::component::ComponentView;
use super::instance::InstanceView;
use super::page::page;
use super::user::User;
use super::zone::ZoneView;
use crate::graphql::context::{data, load_error};
use crate::graphql::scalars::{Time, UuidScalar};
use crate::modules::deployment_zones::schema::Deployment;
use crate::modules::releases::schema::Release;

pub struct ReleaseView(pub Release);

/// Release represents a software release with its components. A release is
/// immutable: it is created with its component list and can only be deleted
/// afterwards -- there is no update, so it carries no updated_* fields.
#[Object(name = "Release")]
impl ReleaseView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn version(&self) -> &str {
        &self.0.version
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn created_by(&self) -> User {
        (&self.0.created_by).into()
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    /// Components included in this release, fixed at creation
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn components(&self) -> Vec<ComponentView> {
        // Read with the release (its assembly reads the components of a whole page at once).
        self.0.components.iter().flatten().cloned().map(ComponentView).collect()
    }
    /// Deployment zones this release has been deployed to at least once, each listed once
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn deployment_zones(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ZoneView>> {
        let found = data(ctx).loaders.releases.zones.load_one(self.0.id).await.map_err(load_error)?;
        Ok(found.unwrap_or_default().into_iter().map(ZoneView).collect())
    }
    /// Instances linked to deployment zones where this release has been deployed historically
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn instances(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<InstanceView>> {
        let loaders = &data(ctx).loaders.releases;
        let zones = loaders.zones.load_one(self.0.id).await.map_err(load_error)?.unwrap_or_default();
        if zones.is_empty() {
            return Ok(Vec::new());
        }
        let by_zone = loaders.instances_of_zone.load_many(zones.iter().map(|z| z.id)).await.map_err(load_error)?;
        let mut instances: Vec<_> = by_zone.into_values().flatten().collect();
        instances.sort_by_key(|i| (i.created_at, i.id));
        Ok(instances.into_iter().map(InstanceView).collect())
    }
    /// Every deployment of this release, newest first -- one entry per deployment,
    /// so a zone it was rolled back to appears more than once
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn deployments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DeploymentView>> {
        let found = data(ctx).loaders.releases.deployments.load_one(self.0.id).await.map_err(load_error)?;
        Ok(found.unwrap_or_default().into_iter().map(DeploymentView).collect())
    }
}

page!(ReleasePage, "ReleasePage", ReleaseView, "A cursor-paginated page of releases.");

pub struct DeploymentView(pub Deployment);

/// Deployment is one entry in a zone's deployment log: a release was put on a zone
/// at a moment in time. The same release can appear against the same zone more
/// than once -- that is a rollback.
#[Object(name = "Deployment")]
impl DeploymentView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn deployment_zone_id(&self) -> UuidScalar {
        UuidScalar(self.0.deployment_zone_id)
    }
    async fn release_id(&self) -> UuidScalar {
        UuidScalar(self.0.release_id)
    }
    async fn created_by(&self) -> User {
        (&self.0.created_by).into()
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
}
