use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use kaiten_kernel::event::EventKind;
use kaiten_kernel::principal::SYSTEM_USER_ID;
use kaiten_kernel::{Error, Uow, scope};
use sqlx::PgPool;

use super::go_duration;
use super::organizations;
use super::schema::{MintOrganizationTokenBody, SystemTokenIssuance};
use crate::auth::Authenticator;
use crate::auth::layer::Caller;
use crate::http::{ValidJson, path};
use crate::invalidation::Invalidate;
use crate::modules::identity::schema::{PlainToken, Token};
use crate::modules::identity::tokens::repository::{self as store, Kind, NewToken, Owner, RevokeTarget};

const SYSTEM_TOKEN_ISSUED: EventKind =
    EventKind::new("SYSTEM_ORGANIZATION_TOKEN_ISSUED", "com.kaiten.identity.v1.system_token_issued");

/// Mint an organization token
///
/// Issues an ordinary `ksh_` token owned by `system:kaiten` in the organization. Its scopes
/// must be a subset of the calling credential's (omitted: all of them); revoking the calling
/// credential revokes it too.
#[utoipa::path(
    post, path = "/platform/organizations/{orgId}/tokens", operation_id = "mint-organization-token", tag = "platform",
    params(("orgId" = String, Path)),
    request_body = MintOrganizationTokenBody,
    responses(
        (status = 201, description = "Created", body = PlainToken),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("platformAuth" = ["write:tokens"]))
)]
pub async fn mint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(org): Path<String>,
    ValidJson(body): ValidJson<MintOrganizationTokenBody>,
) -> Result<(StatusCode, Json<PlainToken>), Error> {
    let organization_id = path::uuid(&org, "orgId")?;
    let platform_token_id = caller.platform_token_id()?;
    let scopes = body.scopes.unwrap_or_else(|| caller.scopes.to_vec());
    scope::validate(&scopes, "MintOrganizationToken.InvalidScopes")?;
    if !scope::is_subset(&scopes, &caller.scopes) {
        return Err(Error::forbidden(
            "MintOrganizationToken.ScopesExceedCredential",
            "the requested scopes exceed the calling credential's",
        ));
    }
    let expires_at = match body.ttl.as_deref() {
        None => None,
        Some(ttl) => match go_duration::parse(ttl).and_then(|d| chrono::Duration::from_std(d).ok()) {
            Some(d) if d > chrono::Duration::zero() => Some(Utc::now() + d),
            _ => {
                return Err(Error::bad_request(
                    "MintOrganizationToken.InvalidTTL",
                    format!("ttl {ttl:?} is not a positive Go duration such as \"15m\" or \"24h\""),
                ));
            }
        },
    };
    let mut uow = Uow::begin(&pool).await?;
    organizations::find(uow.conn(), organization_id).await?;
    let minted = store::insert(
        uow.conn(),
        NewToken {
            operation: "MintOrganizationToken",
            kind: Kind::Organization,
            organization_id: Some(organization_id),
            owner_id: SYSTEM_USER_ID,
            name: &body.name,
            slug: None,
            slug_base: "system-kaiten",
            scopes: &scopes,
            expires_at,
            created_by: SYSTEM_USER_ID,
            issued_by_platform_token: Some(platform_token_id),
        },
    )
    .await?;
    let issuance = SystemTokenIssuance {
        credential_kind: "platform",
        platform_token_id,
        issued_token_id: minted.token.id,
        name: minted.token.name.clone(),
        slug: minted.token.slug.clone(),
        scopes: scopes.clone(),
        expires_at,
        issued_at: minted.token.created_at,
    };
    uow.record(organization_id, SYSTEM_TOKEN_ISSUED.with(&issuance)).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(minted)))
}

/// List the organization tokens this credential minted
#[utoipa::path(
    get, path = "/platform/organizations/{orgId}/tokens", operation_id = "list-organization-tokens", tag = "platform",
    params(("orgId" = String, Path)),
    responses((status = 200, description = "OK", body = Option<Vec<Token>>), (status = 404, description = "Not Found")),
    security(("platformAuth" = ["read:tokens"]))
)]
pub async fn list(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(org): Path<String>,
) -> Result<Json<Vec<Token>>, Error> {
    let organization_id = path::uuid(&org, "orgId")?;
    let mut conn = pool.acquire().await?;
    organizations::find(&mut conn, organization_id).await?;
    Ok(Json(store::minted_by(&mut conn, organization_id, caller.platform_token_id()?).await?))
}

/// Revoke an organization token this credential minted
#[utoipa::path(
    delete, path = "/platform/organizations/{orgId}/tokens/{tokenSlug}", operation_id = "revoke-organization-token",
    tag = "platform",
    params(("orgId" = String, Path), ("tokenSlug" = String, Path)),
    responses((status = 204, description = "No Content"), (status = 404, description = "Not Found")),
    security(("platformAuth" = ["write:tokens"]))
)]
pub async fn revoke(
    State(pool): State<PgPool>,
    State(auth): State<Arc<Authenticator>>,
    Caller(caller): Caller,
    Path((org, token_slug)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let organization_id = path::uuid(&org, "orgId")?;
    let target =
        RevokeTarget { organization_id, slug: &token_slug, owner: Owner::IssuedBy(caller.platform_token_id()?) };
    let mut uow = Uow::begin(&pool).await?;
    let digest = store::revoke(uow.conn(), target, SYSTEM_USER_ID)
        .await?
        .ok_or_else(|| Error::not_found("RevokeOrganizationToken.NotFound", format!("token {token_slug} not found")))?;
    uow.commit().await?;
    auth.evict(&digest);
    Ok(StatusCode::NO_CONTENT)
}
