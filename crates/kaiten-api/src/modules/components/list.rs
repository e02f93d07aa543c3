use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository;
use super::schema::{Component, PageComponent};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// List components
///
/// Returns a cursor-paginated page of components for the current organization.
#[utoipa::path(
    get, path = "/components", operation_id = "list-components", tag = "components",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageComponent), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:components"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<Component>>, Error> {
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, caller.organization_id()?, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, repository::cursor)))
}
