//! Compiled flags per organization, kept in memory so an evaluation touches no database in
//! steady state. Any write to an organization's flags sends `NOTIFY kaiten_flags_changed`
//! inside its transaction; every replica evicts that organization when it commits (the
//! writing replica also evicts at once). A reload racing an eviction is discarded, so a
//! stale compile is never cached past a change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use kaiten_flags::{CelEngine, CompiledFlag, RuleEngine};
use kaiten_kernel::Error;
use sqlx::PgPool;
use uuid::Uuid;

use super::repository;
use crate::invalidation::Invalidate;

pub type Flag = CompiledFlag<<CelEngine as RuleEngine>::Rule>;

/// One organization's flags, compiled, in slug order.
pub struct OrgFlags {
    pub flags: Vec<Flag>,
    by_slug: HashMap<String, usize>,
    /// Changes whenever any flag of the organization changes (a hash of their definitions).
    pub revision: u64,
}

impl OrgFlags {
    /// The flag with this slug and its position in `flags`.
    pub fn find(&self, slug: &str) -> Option<(usize, &Flag)> {
        self.by_slug.get(slug).map(|i| (*i, &self.flags[*i]))
    }
}

#[derive(Default)]
pub struct FlagCache {
    orgs: RwLock<HashMap<Uuid, Arc<OrgFlags>>>,
    /// Bumped by every eviction: a load that started before one is not kept.
    epoch: AtomicU64,
}

impl FlagCache {
    pub async fn get(&self, pool: &PgPool, engine: &CelEngine, organization_id: Uuid) -> Result<Arc<OrgFlags>, Error> {
        if let Some(flags) = self.read().get(&organization_id) {
            return Ok(flags.clone());
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let mut conn = pool.acquire().await?;
        let rows = repository::all(&mut conn, organization_id).await?;
        drop(conn);
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut flags = Vec::with_capacity(rows.len());
        for row in rows {
            // One flag that does not decode must not take its organization's others down.
            let (id, definition) = match row.into_definition() {
                Ok(decoded) => decoded,
                Err(err) => {
                    tracing::error!(error = %err, %organization_id, "a stored feature flag is skipped");
                    continue;
                }
            };
            hasher.update(id.as_bytes());
            hasher.update(serde_json::to_string(&definition).unwrap_or_default().as_bytes());
            flags.push(CompiledFlag::compile(engine, id.to_string(), definition));
        }
        let by_slug = flags.iter().enumerate().map(|(i, f)| (f.slug().to_owned(), i)).collect();
        let loaded = Arc::new(OrgFlags { flags, by_slug, revision: hasher.digest() });
        let mut orgs = self.orgs.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.epoch.load(Ordering::Acquire) == epoch {
            orgs.insert(organization_id, loaded.clone());
        }
        Ok(loaded)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Uuid, Arc<OrgFlags>>> {
        self.orgs.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn evict(&self, organization_id: Uuid) {
        let mut orgs = self.orgs.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        orgs.remove(&organization_id);
    }
}

impl Invalidate for FlagCache {
    fn evict(&self, what: &str) {
        match what.parse() {
            Ok(organization_id) => FlagCache::evict(self, organization_id),
            Err(_) => self.evict_everything(),
        }
    }

    fn evict_everything(&self) {
        let mut orgs = self.orgs.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        orgs.clear();
    }
}
