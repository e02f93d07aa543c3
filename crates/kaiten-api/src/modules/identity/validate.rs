//! `/api/tokens/validate`, the hook a gateway in front (Envoy `ext_authz`) calls: any method,
//! a `ksh_` bearer in, 200 with an internal JWT in the `Authorization` response header out.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use kaiten_kernel::Error;
use kaiten_kernel::secret::ORGANIZATION_TOKEN_PREFIX;

use crate::auth::Authenticator;

/// The internal JWT lives at most this long (less if the token expires sooner).
const INTERNAL_JWT_TTL_SECS: i64 = 3600;

pub async fn endpoint(State(auth): State<Arc<Authenticator>>, headers: HeaderMap) -> Response {
    match validate(&auth, &headers).await {
        Ok(jwt) => {
            let mut response = StatusCode::OK.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("Bearer {jwt}")) {
                response.headers_mut().insert(AUTHORIZATION, value);
            }
            response
        }
        Err(err) => err.into_response(),
    }
}

async fn validate(auth: &Authenticator, headers: &HeaderMap) -> Result<String, Error> {
    let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(|| {
        Error::unauthorized("ValidateToken.MissingAuthorizationHeader", "missing authorization header")
    })?;
    // Every failure looks the same, so that the endpoint tells nothing about why.
    let invalid = || Error::unauthorized("ValidateToken.Invalid", "invalid token");
    let token = crate::auth::bearer(Some(header)).map_err(|_| invalid())?;
    if !token.starts_with(ORGANIZATION_TOKEN_PREFIX) {
        return Err(invalid());
    }
    let credential = auth
        .organization_credential(token)
        .await
        .map_err(|err| if err.status().is_server_error() { err } else { invalid() })?;
    let now = Utc::now().timestamp();
    let exp =
        credential.expires_at.map_or(now + INTERNAL_JWT_TTL_SECS, |at| at.timestamp().min(now + INTERNAL_JWT_TTL_SECS));
    let claims = serde_json::json!({
        "sub": credential.subject,
        "kaiten_external_org_id": credential.organization_external_id,
        "scopes": credential.principal.scopes,
        "iat": now,
        "exp": exp,
    });
    // Unsigned, as the original: the gateway forwards it on a trusted hop.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    Ok(format!("{header}.{body}."))
}
