use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository;
use super::schema::{License, PageLicense};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// GetUser all licenses
///
/// Returns a cursor-paginated page of licenses for the current organization: every version of
/// every family, in any lifecycle state, newest first.
#[utoipa::path(
    get, path = "/licenses", operation_id = "get-licenses", tag = "licenses",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageLicense), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<License>>, Error> {
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, caller.organization_id()?, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, repository::LicenseRow::cursor).map(License::from)))
}
