//! The release queries: releases and components, by page or by id or slug.

use async_graphql::{Context, Object};
use kaiten_kernel::{Page, RowLock};

use super::context::{conn, data, error, load_error, or_null, page};
use super::query::required;
use super::scalars::UuidScalar;
use super::types::component::{ComponentPage, ComponentView};
use super::types::release::{ReleasePage, ReleaseView};
use crate::modules::{components, releases};

#[derive(Default)]
pub struct ReleasesQuery;

#[Object]
impl ReleasesQuery {
    /// Get releases for the current organization, cursor-paginated.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn releases(
        &self,
        ctx: &Context<'_>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> async_graphql::Result<ReleasePage> {
        let request = page(limit, cursor.as_deref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let rows = releases::repository::page(&mut conn, org, &request).await.map_err(|e| error(&e))?;
        let Page { items, has_more, next_cursor } =
            Page::from_rows(rows, &request, releases::repository::ReleaseRow::cursor);
        let items = releases::repository::assemble(&mut conn, org, items).await.map_err(|e| error(&e))?;
        Ok(ReleasePage::of(Page { items, has_more, next_cursor }, ReleaseView))
    }

    /// Get a specific release by ID or slug (at least one required)
    async fn release(
        &self,
        ctx: &Context<'_>,
        id: Option<UuidScalar>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<ReleaseView>> {
        required(id, slug.as_ref())?;
        if let Some(UuidScalar(id)) = id {
            return Ok(data(ctx).loaders.releases.release.load_one(id).await.map_err(load_error)?.map(ReleaseView));
        }
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let slug = slug.unwrap_or_default();
        or_null(releases::repository::find(&mut conn, org, &slug, "Release.NotFound", RowLock::None).await, ReleaseView)
    }

    /// Get components for the current organization, cursor-paginated.
    #[graphql(complexity = "(limit.unwrap_or(50).clamp(1, 200) as usize) * child_complexity")]
    async fn components(
        &self,
        ctx: &Context<'_>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> async_graphql::Result<ComponentPage> {
        let request = page(limit, cursor.as_deref())?;
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let rows = components::repository::page(&mut conn, org, &request).await.map_err(|e| error(&e))?;
        Ok(ComponentPage::of(Page::from_rows(rows, &request, components::repository::cursor), ComponentView))
    }

    /// Get a specific component by ID or slug (at least one required)
    async fn component(
        &self,
        ctx: &Context<'_>,
        id: Option<UuidScalar>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<ComponentView>> {
        required(id, slug.as_ref())?;
        if let Some(UuidScalar(id)) = id {
            return Ok(data(ctx).loaders.releases.component.load_one(id).await.map_err(load_error)?.map(ComponentView));
        }
        let org = data(ctx).scope.organization_id;
        let mut conn = conn(ctx).await?;
        let slug = slug.unwrap_or_default();
        or_null(components::repository::find(&mut conn, org, &slug, RowLock::None).await, ComponentView)
    }
}
