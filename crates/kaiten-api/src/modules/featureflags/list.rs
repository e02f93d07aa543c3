use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository;
use super::schema::{FeatureFlag, PageFeatureFlag};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// Get a list of feature flags
///
/// Returns a cursor-paginated page of feature flags for the given organization.
#[utoipa::path(
    get, path = "/feature-flags", operation_id = "get-feature-flags", tag = "featureflags",
    params(PageParams),
    responses(
        (status = 200, description = "OK", body = PageFeatureFlag),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<FeatureFlag>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, organization_id, &page).await?;
    let rows = Page::from_rows(rows, &page, repository::FlagRow::cursor);
    let items = rows.items.into_iter().map(repository::FlagRow::into_dto).collect::<Result<_, _>>()?;
    Ok(Json(Page { items, has_more: rows.has_more, next_cursor: rows.next_cursor }))
}
