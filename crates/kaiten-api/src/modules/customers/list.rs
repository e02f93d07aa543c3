use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository;
use super::schema::{Customer, PageCustomer};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// List customers
///
/// Returns a cursor-paginated page of customers for the current organization.
#[utoipa::path(
    get, path = "/customers", operation_id = "list-customers", tag = "customers",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageCustomer), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:customers"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<Customer>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, organization_id, &page).await?;
    let rows = Page::from_rows(rows, &page, repository::CustomerRow::cursor);
    let items = repository::assemble(&mut conn, organization_id, rows.items).await?;
    Ok(Json(Page { items, has_more: rows.has_more, next_cursor: rows.next_cursor }))
}
