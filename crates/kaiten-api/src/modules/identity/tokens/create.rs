use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use kaiten_kernel::{Error, Uow, scope};
use sqlx::PgPool;

use super::repository::{self as store, Kind, NewToken};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::identity::schema::{PlainToken, TokenInput};
use crate::modules::identity::service_accounts::repository as accounts;

/// Create a token for a service account
///
/// Issues a `ksh_` token. Its secret is in the response, and only there.
#[utoipa::path(
    post, path = "/service-accounts/{serviceAccountSlug}/tokens", operation_id = "create-service-account-token",
    tag = "service-accounts",
    params(("serviceAccountSlug" = String, Path)),
    request_body = PlainToken,
    responses(
        (status = 201, description = "Created", body = PlainToken),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:tokens"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(account_slug): Path<String>,
    ValidJson(input): ValidJson<TokenInput>,
) -> Result<(StatusCode, Json<PlainToken>), Error> {
    let organization_id = caller.organization_id()?;
    let scopes = input.scopes.unwrap_or_default();
    scope::validate(&scopes, "Token.InvalidScopes")?;
    // The original let a token carry more than its creator holds ("F2"); here it cannot.
    if !scope::is_subset(&scopes, &caller.scopes) {
        return Err(Error::forbidden(
            "CreateToken.ScopesExceedCredential",
            "a token cannot carry scopes its creator lacks",
        ));
    }
    if input.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(Error::bad_request("CreateToken.InvalidExpiry", "expiresAt must be in the future"));
    }
    let mut uow = Uow::begin(&pool).await?;
    let account = accounts::find_id(uow.conn(), organization_id, &account_slug).await?;
    let token = store::insert(
        uow.conn(),
        NewToken {
            operation: "CreateToken",
            kind: Kind::Organization,
            organization_id: Some(organization_id),
            owner_id: account,
            name: &input.name,
            slug: input.slug.as_deref(),
            slug_base: &input.name,
            scopes: &scopes,
            expires_at: input.expires_at,
            created_by: caller.user_id,
            issued_by_platform_token: None,
        },
    )
    .await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(token)))
}
