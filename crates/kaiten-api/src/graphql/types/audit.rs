use async_graphql::Object;

use super::page::page;
use crate::graphql::scalars::{Map, Time, UuidScalar};
use crate::modules::instances::audit::AuditTrail;
use crate::modules::instances::audit::repository::{OrganizationAuditTrail, TrailFilter};

/// The filter arguments of both audit-trail lists, as the REST API reads them.
pub fn filter(event_name: Option<String>, after: Option<Time>, before: Option<Time>) -> TrailFilter {
    TrailFilter { event_name, after: after.map(|t| t.0), before: before.map(|t| t.0) }
}

pub struct AuditTrailView(pub AuditTrail);

/// AuditTrail records a single domain event captured from the outbox CDC pipeline.
#[Object(name = "AuditTrail")]
impl AuditTrailView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn instance_id(&self) -> Option<UuidScalar> {
        Some(UuidScalar(self.0.instance_id))
    }
    async fn instance_slug(&self) -> &str {
        &self.0.instance_slug
    }
    async fn event_name(&self) -> &str {
        &self.0.event_name
    }
    /// Versioned event type identifier (e.g. com.kaiten.instance.entitlement.v1.value_get)
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    async fn timestamp(&self) -> Time {
        Time(self.0.timestamp)
    }
    /// Event payload as a JSON object. Event-specific data such as status lives here.
    async fn payload(&self) -> Option<Map> {
        Some(Map(self.0.payload.clone()))
    }
}

page!(
    AuditTrailPage,
    "AuditTrailPage",
    AuditTrailView,
    "A cursor-paginated page of instance-scoped audit trail entries."
);

pub struct OrganizationAuditTrailView(pub OrganizationAuditTrail);

/// OrganizationAuditTrail is an organization-wide audit trail entry. Instance and customer context
/// is only present for instance-scoped events; organization-level events (e.g. customer or
/// entitlement lifecycle) carry null instance fields.
#[Object(name = "OrganizationAuditTrail")]
impl OrganizationAuditTrailView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn instance_id(&self) -> Option<UuidScalar> {
        self.0.instance_id.map(UuidScalar)
    }
    async fn instance_slug(&self) -> Option<&str> {
        self.0.instance_slug.as_deref()
    }
    async fn instance_name(&self) -> Option<&str> {
        self.0.instance_name.as_deref()
    }
    async fn customer_id(&self) -> Option<UuidScalar> {
        self.0.customer_id.map(UuidScalar)
    }
    async fn customer_slug(&self) -> Option<&str> {
        self.0.customer_slug.as_deref()
    }
    async fn customer_name(&self) -> Option<&str> {
        self.0.customer_name.as_deref()
    }
    async fn event_name(&self) -> &str {
        &self.0.event_name
    }
    /// Versioned event type identifier (e.g. com.kaiten.instance.entitlement.v1.value_get)
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    async fn timestamp(&self) -> Time {
        Time(self.0.timestamp)
    }
    /// Event payload as a JSON object. Event-specific data such as status lives here.
    async fn payload(&self) -> Option<Map> {
        Some(Map(self.0.payload.clone()))
    }
}

page!(
    OrganizationAuditTrailPage,
    "OrganizationAuditTrailPage",
    OrganizationAuditTrailView,
    "A cursor-paginated page of organization-wide audit trail entries."
);
