use async_graphql::Object;

use crate::graphql::scalars::{Map, Time, UuidScalar};
use crate::modules::instances::usage::schema::EntitlementUsage;

pub struct UsageView(pub EntitlementUsage);

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
}
