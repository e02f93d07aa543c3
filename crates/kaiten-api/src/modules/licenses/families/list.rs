use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;
use crate::modules::licenses::families::repository::{self as family, FamilyRow};
use crate::modules::licenses::schema::{LicenseFamilyView, PageLicenseFamilyView};

/// List license families
///
/// Returns a cursor-paginated page of license families for the current organization, each with
/// the version it currently resolves to: the family's default version, or its highest-numbered
/// published version. A family whose versions are all drafts or all archived is still listed,
/// with no current version.
#[utoipa::path(
    get, path = "/license-families", operation_id = "list-license-families", tag = "license-families",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageLicenseFamilyView), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<LicenseFamilyView>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let rows = family::page(&mut conn, organization_id, &page).await?;
    let rows = Page::from_rows(rows, &page, FamilyRow::cursor);
    let items = family::views(&mut conn, organization_id, rows.items).await?;
    Ok(Json(Page { items, has_more: rows.has_more, next_cursor: rows.next_cursor }))
}
