use async_graphql::{Context, Object};
use kaiten_kernel::Page;

use super::audit::{self, AuditTrailPage, AuditTrailView};
use super::customer::CustomerView;
use super::enums::InstanceStatus;
use super::license::LicenseView;
use super::page::page;
use super::usage::UsageView;
use super::user::User;
use super::zone::ZoneView;
use crate::graphql::context::{data, error, load_error, page};
use crate::graphql::scalars::{Map, Time, UuidScalar};
use crate::modules::instances::audit::AuditTrail;
use crate::modules::instances::schema::Instance;

pub struct InstanceView(pub Instance);

/// Instance represents a deployed environment of the SaaS product for a customer.
#[Object(name = "Instance")]
impl InstanceView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn status(&self) -> InstanceStatus {
        self.0.status.into()
    }
    async fn lifecycle_stage(&self) -> Option<&str> {
        self.0.lifecycle_stage.as_deref()
    }
    async fn created_by(&self) -> User {
        (&self.0.created_by).into()
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    async fn updated_by(&self) -> User {
        (&self.0.updated_by).into()
    }
    async fn updated_at(&self) -> Time {
        Time(self.0.updated_at)
    }
    async fn customer_id(&self) -> UuidScalar {
        UuidScalar(self.0.customer_id)
    }
    async fn customer_slug(&self) -> &str {
        &self.0.customer_slug
    }
    async fn license_id(&self) -> UuidScalar {
        UuidScalar(self.0.license_id)
    }
    async fn license_slug(&self) -> &str {
        &self.0.license_slug
    }
    async fn start_license_date(&self) -> Time {
        Time(self.0.start_license_date)
    }
    async fn end_license_date(&self) -> Time {
        Time(self.0.end_license_date)
    }
    async fn metadata(&self) -> Option<Map> {
        Some(Map(self.0.metadata.clone()))
    }
    async fn integrations(&self) -> Map {
        Map::of(&self.0.integrations)
    }
    async fn deployment_zone_id(&self) -> Option<UuidScalar> {
        self.0.deployment_zone_id.map(UuidScalar)
    }
    async fn deployment_zone_slug(&self) -> Option<&str> {
        self.0.deployment_zone_slug.as_deref()
    }
    /// The customer that owns this instance
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<CustomerView> {
        let found = data(ctx).loaders.customer.load_one(self.0.customer_id).await.map_err(load_error)?;
        found.map(CustomerView).ok_or_else(|| missing("customer"))
    }
    /// The license associated with this instance
    async fn license(&self, ctx: &Context<'_>) -> async_graphql::Result<LicenseView> {
        let found = data(ctx).loaders.license.load_one(self.0.license_id).await.map_err(load_error)?;
        found.map(LicenseView).ok_or_else(|| missing("license"))
    }
    /// The deployment zone associated with this instance
    async fn deployment_zone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ZoneView>> {
        let Some(zone) = self.0.deployment_zone_id else { return Ok(None) };
        Ok(data(ctx).loaders.zone.load_one(zone).await.map_err(load_error)?.map(ZoneView))
    }
    /// Current entitlement usage for this instance (one row per license grant)
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn entitlement_usage(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UsageView>> {
        let found = data(ctx).loaders.usage.load_one(self.0.id).await.map_err(load_error)?;
        Ok(found.unwrap_or_default().into_iter().map(UsageView).collect())
    }
    /// Cursor-paginated audit trail entries for this instance.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn audit_trails(
        &self,
        ctx: &Context<'_>,
        event_name: Option<String>,
        after: Option<Time>,
        before: Option<Time>,
        #[graphql(desc = "Maximum number of entries to return (default 50, max 200)")] limit: Option<i32>,
        #[graphql(desc = "Opaque cursor from a previous response's nextCursor")] cursor: Option<String>,
    ) -> async_graphql::Result<AuditTrailPage> {
        let request = page(limit, cursor.as_deref())?;
        let read = (self.0.id, audit::filter(event_name, after, before), request);
        let found = data(ctx).loaders.audit_trails.load_one(read).await.map_err(load_error)?;
        let trail = found.unwrap_or_else(|| Page::from_rows(Vec::new(), &request, AuditTrail::cursor));
        Ok(AuditTrailPage::of(trail, AuditTrailView))
    }
}

/// A reference the database guarantees (foreign keys) that did not resolve: a hidden cause.
fn missing(what: &str) -> async_graphql::Error {
    error(&kaiten_kernel::Error::internal(format!("an instance's {what} did not resolve")))
}

page!(InstancePage, "InstancePage", InstanceView, "A cursor-paginated page of instances.");
