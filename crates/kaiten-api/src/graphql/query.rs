//! The root `Query`: one field per reference query, reading through the REST repositories.

use async_graphql::{Context, Object};
use kaiten_kernel::{Error, Page, RowLock};

use super::context::{conn, data, error, or_null, page};
use super::scalars::UuidScalar;
use super::types::customer::{CustomerPage, CustomerView};
use super::types::entitlement::{EntitlementPage, EntitlementView};
use super::types::instance::{InstancePage, InstanceView};
use super::types::license::{LicensePage, LicenseView};
use super::types::zone::{DeploymentZonePage, ZoneView};
use crate::modules::{customers, deployment_zones, entitlements, instances, licenses};

/// The core queries; each domain adds its own object to the merged root (`root.rs`).
#[derive(Default)]
pub struct CoreQuery;

pub(super) fn required(id: Option<UuidScalar>, slug: Option<&String>) -> async_graphql::Result<()> {
    if id.is_none() && slug.is_none() {
        return Err(error(&Error::bad_request("GraphQL.MissingArgument", "give id or slug")));
    }
    Ok(())
}

#[Object]
impl CoreQuery {
    /// Health check endpoint
    #[graphql(name = "_health")]
    async fn health(&self) -> &str {
        "ok"
    }

    /// Get customers for the current organization, cursor-paginated. When hasIntegration is
    /// set, only customers synced with that integration adapter are returned.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        has_integration: Option<String>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> async_graphql::Result<CustomerPage> {
        let request = page(limit, cursor.as_deref())?;
        let scope = &data(ctx).scope;
        let mut conn = conn(ctx).await?;
        let rows =
            customers::repository::page_with(&mut conn, scope.organization_id, &request, has_integration.as_deref())
                .await
                .map_err(|e| error(&e))?;
        let Page { items, has_more, next_cursor } =
            Page::from_rows(rows, &request, customers::repository::CustomerRow::cursor);
        let items =
            customers::repository::assemble(&mut conn, scope.organization_id, items).await.map_err(|e| error(&e))?;
        Ok(CustomerPage::of(Page { items, has_more, next_cursor }, CustomerView))
    }

    /// Get a specific customer by ID, slug, or the external ID you assigned it (at least one
    /// required; they are tried in that order).
    async fn customer(
        &self,
        ctx: &Context<'_>,
        id: Option<UuidScalar>,
        slug: Option<String>,
        external_customer_id: Option<String>,
    ) -> async_graphql::Result<Option<CustomerView>> {
        let org = data(ctx).scope.organization_id;
        if let Some(UuidScalar(id)) = id {
            return Ok(data(ctx).loaders.customer.load_one(id).await.map_err(|e| error(&e))?.map(CustomerView));
        }
        let mut conn = conn(ctx).await?;
        if let Some(slug) = slug {
            return or_null(customers::repository::find(&mut conn, org, &slug).await, CustomerView);
        }
        let Some(external) = external_customer_id else {
            return Err(error(&Error::bad_request("GraphQL.MissingArgument", "give id, slug or externalCustomerId")));
        };
        let mut found =
            customers::repository::by_external_id(&mut conn, org, &external).await.map_err(|e| error(&e))?;
        if found.len() > 1 {
            return Err(error(&Error::conflict(
                "Customer.AmbiguousExternalId",
                format!("{} customers carry the external id {external:?}", found.len()),
            )));
        }
        Ok(found.pop().map(CustomerView))
    }

    /// Get instances for the current organization, cursor-paginated. When hasIntegration is
    /// set, only instances synced with that integration adapter are returned.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn instances(
        &self,
        ctx: &Context<'_>,
        has_integration: Option<String>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> async_graphql::Result<InstancePage> {
        let request = page(limit, cursor.as_deref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let rows = instances::repository::page_with(&mut conn, org, &request, has_integration.as_deref())
            .await
            .map_err(|e| error(&e))?;
        let Page { items, has_more, next_cursor } =
            Page::from_rows(rows, &request, instances::repository::InstanceRow::cursor);
        let items = instances::repository::assemble(&mut conn, org, items).await.map_err(|e| error(&e))?;
        Ok(InstancePage::of(Page { items, has_more, next_cursor }, InstanceView))
    }

    /// Get a specific instance by ID or slug (at least one required)
    async fn instance(
        &self,
        ctx: &Context<'_>,
        id: Option<UuidScalar>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<InstanceView>> {
        required(id, slug.as_ref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let found = match (id, slug) {
            (Some(UuidScalar(id)), _) => instances::repository::with(&mut conn, org, "id", &[id]).await,
            (None, Some(slug)) => instances::repository::with_slug(&mut conn, org, &slug).await,
            (None, None) => Ok(Vec::new()),
        };
        Ok(found.map_err(|e| error(&e))?.pop().map(InstanceView))
    }

    /// Get licenses for the current organization, cursor-paginated.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn licenses(
        &self,
        ctx: &Context<'_>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> async_graphql::Result<LicensePage> {
        let request = page(limit, cursor.as_deref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let rows = licenses::repository::page(&mut conn, org, &request).await.map_err(|e| error(&e))?;
        let rows = Page::from_rows(rows, &request, licenses::repository::LicenseRow::cursor);
        Ok(LicensePage::of(rows, |row| LicenseView(row.into())))
    }

    /// Get a specific license by ID or slug (at least one required)
    async fn license(
        &self,
        ctx: &Context<'_>,
        id: Option<UuidScalar>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<LicenseView>> {
        required(id, slug.as_ref())?;
        if let Some(UuidScalar(id)) = id {
            return Ok(data(ctx).loaders.license.load_one(id).await.map_err(|e| error(&e))?.map(LicenseView));
        }
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let slug = slug.unwrap_or_default();
        let found = licenses::repository::row(&mut conn, org, &slug, "License.NotFound", RowLock::None).await;
        or_null(found, |row| LicenseView(row.into()))
    }

    /// Get a cursor-paginated page of entitlement definitions for the current organization
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn entitlements(
        &self,
        ctx: &Context<'_>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> async_graphql::Result<EntitlementPage> {
        let request = page(limit, cursor.as_deref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let rows = entitlements::repository::page(&mut conn, org, &request).await.map_err(|e| error(&e))?;
        let Page { items, has_more, next_cursor } =
            Page::from_rows(rows, &request, entitlements::repository::EntitlementRow::cursor);
        let items = entitlements::repository::assemble(&mut conn, org, items).await.map_err(|e| error(&e))?;
        Ok(EntitlementPage::of(Page { items, has_more, next_cursor }, EntitlementView))
    }

    /// Get deployment zones for the current organization, cursor-paginated.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn deployment_zones(
        &self,
        ctx: &Context<'_>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> async_graphql::Result<DeploymentZonePage> {
        let request = page(limit, cursor.as_deref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let rows = deployment_zones::repository::page(&mut conn, org, &request).await.map_err(|e| error(&e))?;
        Ok(DeploymentZonePage::of(Page::from_rows(rows, &request, deployment_zones::repository::cursor), ZoneView))
    }

    /// Get a specific deployment zone by ID or slug (at least one required)
    async fn deployment_zone(
        &self,
        ctx: &Context<'_>,
        id: Option<UuidScalar>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<ZoneView>> {
        required(id, slug.as_ref())?;
        if let Some(UuidScalar(id)) = id {
            return Ok(data(ctx).loaders.zone.load_one(id).await.map_err(|e| error(&e))?.map(ZoneView));
        }
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let slug = slug.unwrap_or_default();
        let found =
            deployment_zones::repository::find(&mut conn, org, &slug, "DeploymentZone.NotFound", RowLock::None).await;
        or_null(found, ZoneView)
    }
}
