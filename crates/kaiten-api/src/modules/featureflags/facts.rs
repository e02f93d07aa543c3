//! Loading the `__kaiten` facts of an evaluation: the license and entitlements of the
//! customer the targeting key names (its oldest instance), and the instance and customer the
//! caller's `kaiten.instanceSlug`/`instanceId` names. Each side is one query, cached for a
//! short TTL (`KAITEN_FLAG_FACTS_TTL_MS`, default 1 s): that is the staleness bound of usage
//! and license facts as rules see them.
//!
//! Unlike the original, `used` is the counter of the current usage window (a periodic
//! entitlement whose window has rolled over reads 0), the same value the usage API shows.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kaiten_flags::facts::{
    self, CustomerFact, CustomerFacts, DeploymentZoneFact, EntitlementFact, InstanceFact, InstanceFacts, LicenseFact,
};
use kaiten_flags::{EvaluationContext, InstanceReference};
use kaiten_kernel::Error;
use serde_json::{Map, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::ttl_cache::TtlCache;
use crate::modules::entitlements::kinds::{EntitlementType, ResetAnchor, ResetPeriod};
use crate::modules::entitlements::period::{Schedule, counted_now};
use crate::modules::entitlements::value::EntitlementValue;

const CAPACITY: usize = 100_000;
/// The longest slug there is.
const MAX_SLUG: usize = 100;

pub struct FactsCache {
    customers: TtlCache<(Uuid, String), Arc<CustomerFacts>>,
    instances: TtlCache<(Uuid, InstanceReference), Arc<InstanceFacts>>,
}

impl FactsCache {
    pub fn new(ttl: Duration) -> Self {
        Self { customers: TtlCache::new(ttl, CAPACITY), instances: TtlCache::new(ttl, CAPACITY) }
    }

    /// The `__kaiten` namespace for `context` in the caller's organization. A lookup that
    /// fails leaves its sub-roots out, as the original does; the failure is logged.
    pub async fn namespace(
        &self,
        pool: &PgPool,
        organization_id: Uuid,
        context: &EvaluationContext,
    ) -> Map<String, Value> {
        // What cannot be a slug names nothing: no query, and no cache entry as big as the key.
        let customer = match context.targeting_key.as_str() {
            key if key.is_empty() || key.len() > MAX_SLUG => Arc::default(),
            key => self.customer(pool, organization_id, key).await,
        };
        let instance = match context.instance_reference() {
            Some(InstanceReference::Slug(slug) | InstanceReference::Id(slug)) if slug.len() > MAX_SLUG => {
                Arc::default()
            }
            Some(reference) => self.instance(pool, organization_id, reference).await,
            None => Arc::default(),
        };
        facts::namespace(&customer, &instance)
    }

    async fn customer(&self, pool: &PgPool, organization_id: Uuid, slug: &str) -> Arc<CustomerFacts> {
        let key = (organization_id, slug.to_owned());
        if let Some(hit) = self.customers.get(&key) {
            return hit;
        }
        let loaded = Arc::new(load_customer(pool, organization_id, slug).await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "customer targeting facts could not be loaded");
            CustomerFacts::default()
        }));
        self.customers.insert(key, loaded.clone());
        loaded
    }

    async fn instance(&self, pool: &PgPool, organization_id: Uuid, reference: InstanceReference) -> Arc<InstanceFacts> {
        let key = (organization_id, reference);
        if let Some(hit) = self.instances.get(&key) {
            return hit;
        }
        let loaded = Arc::new(load_instance(pool, organization_id, &key.1).await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "instance targeting facts could not be loaded");
            InstanceFacts::default()
        }));
        self.instances.insert(key, loaded.clone());
        loaded
    }
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    license_slug: String,
    family_slug: String,
    license_type: String,
    entitlement_slug: Option<String>,
    r#type: Option<EntitlementType>,
    reset_period: Option<ResetPeriod>,
    reset_anchor: Option<ResetAnchor>,
    start_license_date: DateTime<Utc>,
    grant_value: Option<Value>,
    usage_value: Option<Value>,
    period_start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
}

async fn load_customer(pool: &PgPool, organization_id: Uuid, slug: &str) -> Result<CustomerFacts, Error> {
    let rows: Vec<GrantRow> = sqlx::query_as(
        "WITH primary_instance AS (
             SELECT i.id, i.license_id, i.start_license_date
               FROM customer c
               JOIN instance i ON i.customer_id = c.id AND i.organization_id = c.organization_id
              WHERE c.organization_id = $1 AND c.slug = $2
              ORDER BY i.created_at, i.id
              LIMIT 1)
         SELECT l.slug AS license_slug, lf.slug AS family_slug, l.type::text AS license_type,
                e.slug AS entitlement_slug, e.type, e.reset_period, e.reset_anchor, pi.start_license_date,
                ee.value AS grant_value, u.value AS usage_value, u.period_start,
                date_trunc('milliseconds', clock_timestamp()) AS now
           FROM primary_instance pi
           JOIN license l ON l.id = pi.license_id AND l.organization_id = $1
           JOIN license_family lf ON lf.id = l.family_id AND lf.organization_id = $1
           LEFT JOIN instance_effective_entitlement ee ON ee.instance_id = pi.id
           LEFT JOIN entitlement e ON e.id = ee.entitlement_id
           LEFT JOIN entitlement_usage u ON u.instance_id = pi.id AND u.entitlement_id = e.id
          ORDER BY e.slug",
    )
    .bind(organization_id)
    .bind(slug)
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else { return Ok(CustomerFacts::default()) };
    let license = LicenseFact {
        slug: first.license_slug.clone(),
        family_slug: first.family_slug.clone(),
        license_type: first.license_type.clone(),
    };
    let entitlements = rows.iter().filter_map(|row| Some((row.entitlement_slug.clone()?, entitlement(row)))).collect();
    Ok(CustomerFacts { license: Some(license), entitlements })
}

fn entitlement(row: &GrantRow) -> EntitlementFact {
    let limit = row.grant_value.as_ref().and_then(EntitlementValue::from_stored).and_then(|v| v.as_number());
    let schedule = row.r#type.and_then(|t| Schedule::of(t, row.reset_period, row.reset_anchor, row.start_license_date));
    let (_, counted) = counted_now(schedule, row.now, row.usage_value.as_ref(), row.period_start);
    let used = counted.and_then(|v| v.as_number()).unwrap_or_default();
    EntitlementFact::of(limit, used)
}

#[derive(sqlx::FromRow)]
struct InstanceRow {
    id: Uuid,
    slug: String,
    name: String,
    status: String,
    lifecycle_stage: Option<String>,
    metadata: Value,
    customer_id: Uuid,
    customer_name: String,
    customer_slug: String,
    external_customer_id: Option<String>,
    domain: Option<String>,
    zone_id: Option<Uuid>,
    zone_name: Option<String>,
    zone_slug: Option<String>,
    zone_type: Option<String>,
    zone_metadata: Option<Value>,
    zone_release_id: Option<Uuid>,
}

async fn load_instance(
    pool: &PgPool,
    organization_id: Uuid,
    reference: &InstanceReference,
) -> Result<InstanceFacts, Error> {
    let (slug, id) = match reference {
        InstanceReference::Slug(slug) => (Some(slug.as_str()), None),
        // Not a UUID: nothing to find, as in the original.
        InstanceReference::Id(id) => match id.parse::<Uuid>() {
            Ok(id) => (None, Some(id)),
            Err(_) => return Ok(InstanceFacts::default()),
        },
    };
    let row: Option<InstanceRow> = sqlx::query_as(
        "SELECT i.id, i.slug, i.name, i.status::text AS status, i.lifecycle_stage, i.metadata,
                c.id AS customer_id, c.name AS customer_name, c.slug AS customer_slug, c.external_customer_id, c.domain,
                z.id AS zone_id, z.name AS zone_name, z.slug AS zone_slug, z.type AS zone_type,
                z.metadata AS zone_metadata, z.release_id AS zone_release_id
           FROM instance i
           JOIN customer c ON c.id = i.customer_id AND c.organization_id = i.organization_id
           LEFT JOIN deployment_zone z ON z.id = i.deployment_zone_id AND z.organization_id = i.organization_id
          WHERE i.organization_id = $1 AND (i.slug = $2 OR i.id = $3)",
    )
    .bind(organization_id)
    .bind(slug)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(InstanceFacts::default()) };
    let deployment_zone = match (row.zone_id, row.zone_name, row.zone_slug, row.zone_type) {
        (Some(id), Some(name), Some(slug), Some(zone_type)) => Some(DeploymentZoneFact {
            id: id.to_string(),
            name,
            slug,
            zone_type,
            metadata: object(row.zone_metadata.unwrap_or(Value::Null)),
            current_release_id: row.zone_release_id.map(|r| r.to_string()),
        }),
        _ => None,
    };
    Ok(InstanceFacts {
        instance: Some(InstanceFact {
            id: row.id.to_string(),
            slug: row.slug,
            name: row.name,
            status: row.status,
            lifecycle_stage: row.lifecycle_stage,
            metadata: object(row.metadata),
        }),
        customer: Some(CustomerFact {
            id: row.customer_id.to_string(),
            name: row.customer_name,
            slug: row.customer_slug,
            external_customer_id: row.external_customer_id,
            domain: row.domain,
        }),
        deployment_zone,
    })
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
