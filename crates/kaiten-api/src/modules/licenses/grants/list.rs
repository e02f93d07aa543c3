use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, Page, RowLock};
use sqlx::PgPool;

use super::repository::{self, GrantRow};
use super::schema::{LicenseEntitlement, PageLicenseEntitlement};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;
use crate::modules::licenses;

/// Get all entitlements for a license
///
/// Returns a cursor-paginated page of entitlements granted by a license, identified by its unique slug.
#[utoipa::path(
    get, path = "/licenses/{licenseSlug}/entitlements", operation_id = "get-license-entitlements", tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License slug", example = "license-slug"), PageParams),
    responses(
        (status = 200, description = "OK", body = PageLicenseEntitlement),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(license_slug): Path<String>,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<LicenseEntitlement>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let license = licenses::repository::row(
        &mut conn,
        organization_id,
        &license_slug,
        "GetLicenseEntitlements.LicenseNotFound",
        RowLock::None,
    )
    .await?;
    let rows = repository::page(&mut conn, organization_id, license.id, &page).await?;
    let rows = Page::from_rows(rows, &page, GrantRow::cursor);
    let items = repository::assemble(&mut conn, organization_id, rows.items).await?;
    Ok(Json(Page { items, has_more: rows.has_more, next_cursor: rows.next_cursor }))
}
