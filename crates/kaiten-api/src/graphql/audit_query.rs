//! Audit trails (an instance's, the organization's) and license families as products.
//!
//! `Instance.auditTrails` over a page of instances goes through [`AuditTrailsOfInstance`], keyed
//! by (instance, filter, page): the instances asking with the same arguments are read in one
//! query, so a document costs one query per distinct set of arguments, not one per instance.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object};
use kaiten_kernel::{Error, Page, RowLock};

use super::context::{conn, data, error, page};
use super::loaders::{LoadError, Scope, loader};
use super::scalars::Time;
use super::types::audit::{
    AuditTrailPage, AuditTrailView, OrganizationAuditTrailPage, OrganizationAuditTrailView, filter,
};
use super::types::family::FamilyView;
use crate::modules::instances::audit::AuditTrail;
use crate::modules::instances::audit::repository::{self as audit, TrailRead};
use crate::modules::instances::repository as instances;
use crate::modules::licenses::families::repository as family;

loader!(AuditTrailsOfInstance, TrailRead, Page<AuditTrail>, |s, conn, keys| {
    audit::of_reads(&mut conn, s.organization_id, keys).await
});

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// List audit trail entries for a given instance slug.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    #[allow(clippy::too_many_arguments)] // the reference query's six arguments
    async fn audit_trails(
        &self,
        ctx: &Context<'_>,
        instance_slug: String,
        event_name: Option<String>,
        after: Option<Time>,
        before: Option<Time>,
        #[graphql(desc = "Maximum number of entries to return (default 50, max 200)")] limit: Option<i32>,
        #[graphql(desc = "Opaque cursor from a previous response's nextCursor")] cursor: Option<String>,
    ) -> async_graphql::Result<AuditTrailPage> {
        let request = page(limit, cursor.as_deref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let instance = instances::row(&mut conn, org, &instance_slug, "GetAuditTrails.InstanceNotFound", RowLock::None)
            .await
            .map_err(|e| error(&e))?;
        let filter = filter(event_name, after, before);
        let trail = audit::of_instance(&mut conn, org, instance.id, &filter, &request).await.map_err(|e| error(&e))?;
        Ok(AuditTrailPage::of(trail, AuditTrailView))
    }

    /// List every audit trail entry of the current organization, newest first, including events
    /// not attached to an instance (e.g. CUSTOMER_CREATED).
    #[graphql(complexity = "(limit.unwrap_or(200).clamp(1, 1000) as usize) * child_complexity")]
    async fn organization_audit_trails(
        &self,
        ctx: &Context<'_>,
        event_name: Option<String>,
        after: Option<Time>,
        before: Option<Time>,
        #[graphql(desc = "Maximum number of entries to return (default 200, max 1000)")] limit: Option<i32>,
        #[graphql(desc = "Opaque cursor from a previous response's nextCursor")] cursor: Option<String>,
    ) -> async_graphql::Result<OrganizationAuditTrailPage> {
        let request = audit::organization_page(cursor.as_deref(), limit.map(|l| l.to_string()).as_deref())
            .map_err(|e| error(&e))?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let filter = filter(event_name, after, before);
        let trail = audit::of_organization(&mut conn, org, &filter, &request).await.map_err(|e| error(&e))?;
        Ok(OrganizationAuditTrailPage::of(trail, OrganizationAuditTrailView))
    }

    /// Resolve a license family to the version it currently serves. Null when no family carries
    /// this slug; a family with nothing published resolves with a null currentVersion rather than
    /// being reported as missing.
    async fn license_family(&self, ctx: &Context<'_>, slug: String) -> async_graphql::Result<Option<FamilyView>> {
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let Some(row) = family::by_slug(&mut conn, org, &slug).await.map_err(|e| error(&e))? else {
            return Ok(None);
        };
        let mut views = family::views(&mut conn, org, vec![row]).await.map_err(|e| error(&e))?;
        Ok(views.pop().map(FamilyView))
    }
}
