//! Per-request dataloaders, each bound to the caller's organization: every relation of a
//! page of results is read in one batch query, however many parents ask for it (no N+1),
//! and an id of another organization simply finds nothing.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use kaiten_kernel::Error;
use sqlx::PgPool;
use uuid::Uuid;

use super::audit_query::AuditTrailsOfInstance;
use super::release_loaders::ReleaseLoaders;
use crate::modules::customers::{repository as customers, schema::Customer};
use crate::modules::deployment_zones::{repository as zones, schema::DeploymentZone};
use crate::modules::entitlements::{repository as entitlements, schema::Entitlement};
use crate::modules::instances::usage::read::{GrantUsage, of_instances};
use crate::modules::instances::{repository as instances, schema::Instance};
use crate::modules::licenses::grants::{repository as grants, schema::LicenseEntitlement};
use crate::modules::licenses::{repository as licenses, schema::License};

/// A loader's failure, shared by every field that waited on the batch.
pub type LoadError = Arc<Error>;

/// What every loader needs: the pool and the organization it is confined to.
#[derive(Clone)]
pub struct Scope {
    pub pool: PgPool,
    pub organization_id: Uuid,
}

impl Scope {
    pub(super) async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>, LoadError> {
        self.pool.acquire().await.map_err(|e| Arc::new(e.into()))
    }
}

pub(super) fn by<K: std::hash::Hash + Eq, V>(items: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, V> {
    items.into_iter().map(|v| (key(&v), v)).collect()
}

pub(super) fn grouped<K: std::hash::Hash + Eq, V>(items: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for v in items {
        out.entry(key(&v)).or_default().push(v);
    }
    out
}

macro_rules! loader {
    ($name:ident, $key:ty, $value:ty, |$scope:ident, $conn:ident, $keys:ident| $body:expr) => {
        pub struct $name(pub Scope);

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, $keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                let $scope = &self.0;
                let mut $conn = $scope.conn().await?;
                let result: Result<HashMap<$key, $value>, Error> = $body;
                result.map_err(Arc::new)
            }
        }
    };
}
pub(super) use loader;

loader!(CustomerById, Uuid, Customer, |s, conn, keys| {
    customers::by_ids(&mut conn, s.organization_id, keys).await.map(|v| by(v, |c| c.id))
});
loader!(InstancesByCustomer, Uuid, Vec<Instance>, |s, conn, keys| {
    instances::with(&mut conn, s.organization_id, "customer_id", keys).await.map(|v| grouped(v, |i| i.customer_id))
});
loader!(InstancesByLicense, Uuid, Vec<Instance>, |s, conn, keys| {
    instances::with(&mut conn, s.organization_id, "license_id", keys).await.map(|v| grouped(v, |i| i.license_id))
});
loader!(LicenseById, Uuid, License, |s, conn, keys| {
    licenses::by_ids(&mut conn, s.organization_id, keys).await.map(|v| by(v, |l| l.id))
});
loader!(GrantsByLicense, Uuid, Vec<LicenseEntitlement>, |s, conn, keys| {
    grants::of_licenses(&mut conn, s.organization_id, keys).await.map(|v| grouped(v, |g| g.license_id))
});
loader!(EntitlementBySlug, String, Entitlement, |s, conn, keys| {
    entitlements::by_slugs(&mut conn, s.organization_id, keys).await.map(|v| by(v, |e| e.slug.clone()))
});
loader!(UsageByInstance, Uuid, Vec<GrantUsage>, |s, conn, keys| {
    of_instances(&mut conn, s.organization_id, keys).await
});
loader!(ZoneById, Uuid, DeploymentZone, |s, conn, keys| {
    zones::by_ids(&mut conn, s.organization_id, keys).await.map(|v| by(v, |z| z.id))
});

loader!(FamilySlug, Uuid, String, |s, conn, keys| {
    crate::modules::licenses::families::repository::slugs(&mut conn, s.organization_id, keys).await
});

/// The loaders of one request.
pub struct Loaders {
    pub customer: DataLoader<CustomerById>,
    pub instances_of_customer: DataLoader<InstancesByCustomer>,
    pub instances_of_license: DataLoader<InstancesByLicense>,
    pub license: DataLoader<LicenseById>,
    pub family_slug: DataLoader<FamilySlug>,
    pub grants: DataLoader<GrantsByLicense>,
    pub entitlement: DataLoader<EntitlementBySlug>,
    pub usage: DataLoader<UsageByInstance>,
    /// An instance's audit trail, keyed by (instance, filter, page).
    pub audit_trails: DataLoader<AuditTrailsOfInstance>,
    pub zone: DataLoader<ZoneById>,
    pub releases: ReleaseLoaders,
}

impl Loaders {
    pub fn new(scope: &Scope) -> Self {
        let s = || scope.clone();
        Self {
            customer: DataLoader::new(CustomerById(s()), tokio::spawn),
            instances_of_customer: DataLoader::new(InstancesByCustomer(s()), tokio::spawn),
            instances_of_license: DataLoader::new(InstancesByLicense(s()), tokio::spawn),
            license: DataLoader::new(LicenseById(s()), tokio::spawn),
            family_slug: DataLoader::new(FamilySlug(s()), tokio::spawn),
            grants: DataLoader::new(GrantsByLicense(s()), tokio::spawn),
            entitlement: DataLoader::new(EntitlementBySlug(s()), tokio::spawn),
            usage: DataLoader::new(UsageByInstance(s()), tokio::spawn),
            audit_trails: DataLoader::new(AuditTrailsOfInstance(s()), tokio::spawn),
            zone: DataLoader::new(ZoneById(s()), tokio::spawn),
            releases: ReleaseLoaders::new(scope),
        }
    }
}
