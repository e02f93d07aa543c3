use async_graphql::Object;

use crate::graphql::scalars::{Map, Time, UuidScalar};
use crate::modules::instances::usage::read::GrantUsage;

/// The REST usage (its fields read through `Deref`) and the grant's overage beside it.
pub struct UsageView(pub GrantUsage);

/// Current usage of an entitlement on an instance. One row per license grant.
#[Object(name = "EntitlementUsage")]
impl UsageView {
    async fn entitlement_id(&self) -> UuidScalar {
        UuidScalar(self.0.entitlement_id)
    }
    async fn entitlement_slug(&self) -> &str {
        &self.0.entitlement_slug
    }
    async fn license_id(&self) -> UuidScalar {
        UuidScalar(self.0.license_id)
    }
    async fn license_slug(&self) -> &str {
        &self.0.license_slug
    }
    /// Typed usage value. Shapes: {type:"number",value:N,event_count:C}, {type:"boolean",value:B},
    /// {type:"object",value:{...}}
    async fn value(&self) -> Map {
        Map::of(&self.0.value)
    }
    /// License grant this usage is measured against, same shape as value.
    async fn limit(&self) -> Option<Map> {
        self.0.limit.as_ref().map(Map::of)
    }
    /// Start of the current usage window (inclusive). Null for a lifetime entitlement.
    async fn current_period_start(&self) -> Option<Time> {
        self.0.current_period_start.map(Time)
    }
    /// End of the current usage window (exclusive). Null for a lifetime entitlement.
    async fn current_period_end(&self) -> Option<Time> {
        self.0.current_period_end.map(Time)
    }
    /// license when the licence grants it (add-ons, which this server does not have, would be
    /// the other sources).
    async fn source(&self) -> &str {
        "license"
    }
    /// How far above limit usage is still accepted, in percent: -1 unlimited, 0 a hard limit. Null
    /// for BOOLEAN and CONFIG.
    async fn limit_cap_exceeded_overage_percent(&self) -> Option<i32> {
        self.0.overage_percent.map(i32::from)
    }
    /// What the licence, the add-ons and the boosts each contribute. Always null: this server has
    /// no add-ons or boosts, so the licence grant (limit) is the whole of it.
    async fn provenance(&self) -> Option<Map> {
        None
    }
}
