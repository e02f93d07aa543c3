use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository;
use super::schema::{EntitlementGroup, PageEntitlementGroup};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// List all entitlement groups
///
/// Returns a cursor-paginated page of entitlement groups for the current organization.
#[utoipa::path(
    get, path = "/entitlement-groups", operation_id = "list-entitlement-groups", tag = "entitlement-groups",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageEntitlementGroup), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<EntitlementGroup>>, Error> {
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, caller.organization_id()?, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, repository::cursor)))
}
