use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository::{self, AccountRow};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;
use crate::modules::identity::schema::{PageServiceAccount, ServiceAccount};

/// List service accounts
///
/// A cursor-paginated page of the organization's service accounts, newest first.
#[utoipa::path(
    get, path = "/service-accounts", operation_id = "get-service-accounts", tag = "service-accounts",
    params(PageParams),
    responses(
        (status = 200, description = "OK", body = PageServiceAccount),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:tokens"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<ServiceAccount>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, organization_id, &page).await?;
    let rows = Page::from_rows(rows, &page, AccountRow::cursor);
    let items = repository::assemble(&mut conn, organization_id, rows.items).await?;
    Ok(Json(Page { items, has_more: rows.has_more, next_cursor: rows.next_cursor }))
}
