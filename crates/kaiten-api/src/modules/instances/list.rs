use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository::{self, InstanceRow};
use super::schema::{Instance, PageInstance};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// List instances
///
/// Returns a cursor-paginated page of instances for the current organization.
#[utoipa::path(
    get, path = "/instances", operation_id = "getInstances", tag = "instances",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageInstance), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:instances"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<Instance>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, organization_id, &page).await?;
    let rows = Page::from_rows(rows, &page, InstanceRow::cursor);
    let items = repository::assemble(&mut conn, organization_id, rows.items).await?;
    Ok(Json(Page { items, has_more: rows.has_more, next_cursor: rows.next_cursor }))
}
