//! The loaders of releases, components and deployments: each relation of a page of releases
//! is read in one batch query for all of them, confined to the caller's organization.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use kaiten_kernel::Error;
use uuid::Uuid;

use super::loaders::{LoadError, Scope, by, grouped, loader};
use crate::modules::components::{repository as components, schema::Component};
use crate::modules::deployment_zones::repository as zones;
use crate::modules::deployment_zones::schema::{Deployment, DeploymentZone};
use crate::modules::instances::{repository as instances, schema::Instance};
use crate::modules::releases::{repository as releases, schema::Release};

loader!(ReleaseById, Uuid, Release, |s, conn, keys| {
    releases::by_ids(&mut conn, s.organization_id, keys).await.map(|v| by(v, |r| r.id))
});
loader!(ComponentById, Uuid, Component, |s, conn, keys| {
    components::by_ids(&mut conn, s.organization_id, keys).await.map(|v| by(v, |c| c.id))
});
loader!(ZonesByRelease, Uuid, Vec<DeploymentZone>, |s, conn, keys| {
    zones::deployed_with(&mut conn, s.organization_id, keys).await.map(|v| {
        let mut out: HashMap<Uuid, Vec<DeploymentZone>> = HashMap::new();
        for (release, zone) in v {
            out.entry(release).or_default().push(zone);
        }
        out
    })
});
loader!(InstancesByZone, Uuid, Vec<Instance>, |s, conn, keys| {
    instances::with(&mut conn, s.organization_id, "deployment_zone_id", keys)
        .await
        .map(|v| grouped(v, |i| i.deployment_zone_id.unwrap_or_default()))
});
loader!(DeploymentsByRelease, Uuid, Vec<Deployment>, |s, conn, keys| {
    zones::deployments_of_releases(&mut conn, s.organization_id, keys).await.map(|v| grouped(v, |d| d.release_id))
});

/// The release loaders of one request.
pub struct ReleaseLoaders {
    pub release: DataLoader<ReleaseById>,
    pub component: DataLoader<ComponentById>,
    /// The zones a release was ever deployed to, each once, most recently deployed first.
    pub zones: DataLoader<ZonesByRelease>,
    pub instances_of_zone: DataLoader<InstancesByZone>,
    /// A release's deployment log, newest first.
    pub deployments: DataLoader<DeploymentsByRelease>,
}

impl ReleaseLoaders {
    pub fn new(scope: &Scope) -> Self {
        let s = || scope.clone();
        Self {
            release: DataLoader::new(ReleaseById(s()), tokio::spawn),
            component: DataLoader::new(ComponentById(s()), tokio::spawn),
            zones: DataLoader::new(ZonesByRelease(s()), tokio::spawn),
            instances_of_zone: DataLoader::new(InstancesByZone(s()), tokio::spawn),
            deployments: DataLoader::new(DeploymentsByRelease(s()), tokio::spawn),
        }
    }
}
