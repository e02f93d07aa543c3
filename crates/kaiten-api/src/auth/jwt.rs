//! JWTs verified in process: HS256 with a shared secret (development), RS256/ES256 through a
//! JWKS (production). Refused: `alg: none` and any other algorithm, an HS256 secret shorter
//! than 32 bytes, algorithm confusion, headers with `crit` or naming their own key
//! ([`super::jose_header`]), expired and not-yet-valid tokens, `exp`/`nbf` that are not
//! numbers, and identity claims longer than the rows they become.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use kaiten_kernel::{Error, secret};
use serde::Deserialize;
use serde_json::Value;

use super::jose_header;
use super::jwks::Jwks;

/// The longest value of each claim that becomes a row (a user, an organization): no identity
/// provider issues longer ones, and a 10 000-character `sub` must not provision a user.
pub const CLAIM_LIMITS: &[(&str, usize)] =
    &[("sub", 255), ("kaiten_external_org_id", 255), ("email", 320), ("name", 255), ("kaiten_org_name", 255)];

#[derive(Debug, Clone, Default)]
pub struct JwtConfig {
    pub secret: Option<String>,
    pub jwks_url: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
}

/// The identity claims a Core JWT carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    pub subject: String,
    pub external_org_id: String,
    pub scopes: Vec<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub org_name: Option<String>,
}

pub struct JwtVerifier {
    config: JwtConfig,
    jwks: Option<Jwks>,
}

fn invalid(detail: impl Into<String>) -> Error {
    Error::unauthorized("Auth.InvalidToken", detail)
}

impl JwtVerifier {
    pub fn new(config: JwtConfig) -> Self {
        let jwks = config.jwks_url.clone().map(Jwks::new);
        Self { config, jwks }
    }

    pub fn is_configured(&self) -> bool {
        self.config.secret.is_some() || self.jwks.is_some()
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, Error> {
        if token.len() > jose_header::MAX_TOKEN_BYTES {
            return Err(invalid("the bearer token is too long"));
        }
        let header = decode_header(token).map_err(|_| invalid("the bearer token is not a valid JWT"))?;
        if let Some(why) = jose_header::refusal(&header) {
            return Err(invalid(why));
        }
        let key = match header.alg {
            // A blank or short secret is refused at start; it is refused here too, so that no
            // configuration path can turn an empty key into one anybody can sign with.
            Algorithm::HS256 => match self.config.secret.as_deref().filter(|s| secret::check_configured(s).is_ok()) {
                Some(secret) => DecodingKey::from_secret(secret.as_bytes()),
                None => return Err(invalid("HS256 tokens are not accepted by this server")),
            },
            Algorithm::RS256 | Algorithm::ES256 => match &self.jwks {
                Some(jwks) => jwks.key(header.kid.as_deref(), header.alg).await?,
                None => return Err(invalid("no JWKS is configured for asymmetric tokens")),
            },
            other => return Err(invalid(format!("algorithm {other:?} is not accepted"))),
        };
        let mut validation = Validation::new(header.alg);
        validation.validate_nbf = true;
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp", "sub"]);
        match &self.config.issuer {
            Some(issuer) => validation.set_issuer(&[issuer]),
            None => validation.iss = None,
        }
        match &self.config.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        let data = decode::<Value>(token, &key, &validation).map_err(|err| {
            use jsonwebtoken::errors::ErrorKind;
            match err.kind() {
                ErrorKind::ExpiredSignature => invalid("the token has expired"),
                ErrorKind::ImmatureSignature => invalid("the token is not valid yet"),
                ErrorKind::InvalidIssuer => invalid("the token's issuer is not accepted"),
                ErrorKind::InvalidAudience => invalid("the token's audience is not accepted"),
                ErrorKind::MissingRequiredClaim(claim) => missing_or_malformed(token, claim),
                _ => invalid("the token's signature or claims are invalid"),
            }
        })?;
        claims(data.claims)
    }
}

/// The library reports a claim it cannot parse as missing; say which it is. Only reached
/// after the signature verified, so reading the payload again is reading trusted data.
fn missing_or_malformed(token: &str, claim: &str) -> Error {
    let present = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token)
        .ok()
        .and_then(|claims| claims.get(claim).cloned())
        .is_some_and(|value| !value.is_null());
    match (present, claim) {
        (true, "exp" | "nbf") => Error::unauthorized(
            "Auth.InvalidClaims",
            format!("{claim} must be a number: a NumericDate, in whole seconds since the epoch"),
        ),
        (true, _) => Error::unauthorized("Auth.InvalidClaims", format!("the {claim} claim must be a string")),
        (false, _) => Error::unauthorized("Auth.MissingClaims", format!("the token has no {claim} claim")),
    }
}

/// Every identity claim that becomes a row, within its column's limit and free of NUL.
fn bounded(value: &Value) -> Result<(), Error> {
    for (name, limit) in CLAIM_LIMITS {
        let Some(text) = value.get(*name).and_then(Value::as_str) else { continue };
        if text.chars().count() > *limit {
            return Err(Error::unauthorized(
                "Auth.InvalidClaims",
                format!("the {name} claim is longer than {limit} characters"),
            ));
        }
        if text.contains('\0') {
            return Err(Error::unauthorized(
                "Auth.InvalidClaims",
                format!("the {name} claim contains a NUL character"),
            ));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ScopesClaim {
    List(Vec<String>),
    Spaced(String),
}

fn claims(value: Value) -> Result<Claims, Error> {
    bounded(&value)?;
    let text = |name: &str| {
        value.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
    };
    let missing = |claim: &str| Error::unauthorized("Auth.MissingClaims", format!("the token has no {claim} claim"));
    let subject = text("sub").ok_or_else(|| missing("sub"))?;
    let external_org_id = text("kaiten_external_org_id").ok_or_else(|| missing("kaiten_external_org_id"))?;
    let scopes = match value.get("scopes").cloned().map(serde_json::from_value::<ScopesClaim>) {
        Some(Ok(ScopesClaim::List(list))) => list,
        Some(Ok(ScopesClaim::Spaced(s))) => s.split_whitespace().map(str::to_owned).collect(),
        Some(Err(_)) => return Err(Error::unauthorized("Auth.InvalidScopes", "the scopes claim must be strings")),
        None => return Err(missing("scopes")),
    };
    Ok(Claims {
        subject,
        external_org_id,
        scopes,
        email: text("email"),
        name: text("name"),
        org_name: text("kaiten_org_name"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scopes_may_be_an_array_or_space_separated() {
        let a = claims(json!({"sub": "u", "kaiten_external_org_id": "o", "scopes": ["read:customers"]})).unwrap();
        let b = claims(json!({"sub": "u", "kaiten_external_org_id": "o", "scopes": "read:customers  write:licenses"}))
            .unwrap();
        assert_eq!(a.scopes, vec!["read:customers"]);
        assert_eq!(b.scopes, vec!["read:customers", "write:licenses"]);
    }

    #[test]
    fn missing_or_blank_identity_claims_are_refused() {
        let err = claims(json!({"sub": " ", "kaiten_external_org_id": "o", "scopes": []})).unwrap_err();
        assert_eq!(err.code(), "Auth.MissingClaims");
        let err = claims(json!({"sub": "u", "scopes": []})).unwrap_err();
        assert_eq!(err.code(), "Auth.MissingClaims");
        let err = claims(json!({"sub": "u", "kaiten_external_org_id": "o", "scopes": [1]})).unwrap_err();
        assert_eq!(err.code(), "Auth.InvalidScopes");
    }
}
