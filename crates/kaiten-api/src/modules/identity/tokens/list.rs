use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository::{self as store, TokenRow};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;
use crate::modules::identity::schema::{PageToken, Token};
use crate::modules::identity::service_accounts::repository as accounts;

/// List a service account's tokens
///
/// Every token of the account, revoked ones included, newest first. Secrets are never shown.
#[utoipa::path(
    get, path = "/service-accounts/{serviceAccountSlug}/tokens", operation_id = "get-service-account-tokens",
    tag = "service-accounts",
    params(("serviceAccountSlug" = String, Path), PageParams),
    responses(
        (status = 200, description = "OK", body = PageToken),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:tokens"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(account_slug): Path<String>,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<Token>>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let account = accounts::find_id(&mut conn, organization_id, &account_slug).await?;
    let rows = store::page(&mut conn, organization_id, account, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, TokenRow::cursor).map(TokenRow::into_token)))
}
