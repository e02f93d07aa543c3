//! What evaluation keeps in memory for the life of the process: the rule engine, the
//! compiled flags, the facts cache and the audit queue.

use std::time::Duration;

use kaiten_flags::CelEngine;
use sqlx::PgPool;

use super::audit::AuditPublisher;
use super::facts::FactsCache;
use super::flag_cache::FlagCache;

pub struct FlagRuntime {
    pub engine: CelEngine,
    pub cache: std::sync::Arc<FlagCache>,
    pub facts: FactsCache,
    pub audit: AuditPublisher,
}

impl FlagRuntime {
    pub fn start(pool: &PgPool, facts_ttl: Duration) -> Self {
        Self {
            engine: CelEngine::default(),
            cache: Default::default(),
            facts: FactsCache::new(facts_ttl),
            audit: AuditPublisher::start(pool.clone()),
        }
    }
}
