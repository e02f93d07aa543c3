//! Authentication: turning a bearer credential into a `Principal`, verified in process.
//!
//! - Core: a JWT (verified here, then JIT-provisioned) or a `ksh_` organization token;
//!   `ksm_` is refused.
//! - Platform: only `ksm_` platform credentials.
//!
//! Validated credentials and JIT resolutions are cached, so steady-state authentication costs
//! no database round trip; revocations evict them through LISTEN/NOTIFY.

mod credentials;
pub mod invalidation;
pub(crate) mod jit;
mod jose_header;
mod jwks;
pub mod jwt;
pub mod layer;
pub(crate) mod ttl_cache;

use std::time::Duration;

use kaiten_kernel::Error;
use kaiten_kernel::principal::{Principal, PrincipalKind};
use kaiten_kernel::secret::{self, ORGANIZATION_TOKEN_PREFIX, PLATFORM_TOKEN_PREFIX};
use sqlx::PgPool;

pub use credentials::Credential;
pub use jit::Provisioned;
use jwt::JwtVerifier;
pub use jwt::{Claims, JwtConfig};
use ttl_cache::TtlCache;

/// How long a validated credential or JIT resolution is trusted without asking the database.
/// Revocations evict at once through LISTEN/NOTIFY; this bounds staleness only if a
/// notification is lost without the listener noticing.
pub const CACHE_TTL: Duration = Duration::from_secs(300);
const CACHE_CAPACITY: usize = 100_000;

pub struct Authenticator {
    pool: PgPool,
    jwt: JwtVerifier,
    credentials: TtlCache<[u8; 32], Credential>,
    jit: TtlCache<(String, String), Provisioned>,
}

#[derive(Clone, Copy)]
enum Family {
    Organization,
    Platform,
}

fn no_identity() -> Error {
    Error::unauthorized("Auth.NoIdentity", "no identity found in context")
}

fn wrong_kind(detail: &str) -> Error {
    Error::forbidden("Auth.WrongCredentialKind", detail.to_owned())
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(header: Option<&str>) -> Result<&str, Error> {
    let header = header.ok_or_else(no_identity)?;
    let (scheme, token) = header.split_once(' ').ok_or_else(no_identity)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(no_identity());
    }
    Ok(token)
}

impl Authenticator {
    pub fn new(pool: PgPool, jwt: JwtConfig) -> Self {
        Self {
            pool,
            jwt: JwtVerifier::new(jwt),
            credentials: TtlCache::new(CACHE_TTL, CACHE_CAPACITY),
            jit: TtlCache::new(CACHE_TTL, CACHE_CAPACITY),
        }
    }

    /// A Core API caller: a JWT or a `ksh_` token; never a platform credential.
    pub async fn core(&self, authorization: Option<&str>) -> Result<Principal, Error> {
        let token = bearer(authorization)?;
        if token.starts_with(PLATFORM_TOKEN_PREFIX) {
            return Err(wrong_kind("platform credentials are not accepted on the Core API"));
        }
        if token.starts_with(ORGANIZATION_TOKEN_PREFIX) {
            return self.organization_token(token).await;
        }
        self.jwt_principal(token).await
    }

    /// A Platform API caller: only a `ksm_` credential.
    pub async fn platform(&self, authorization: Option<&str>) -> Result<Principal, Error> {
        let token = bearer(authorization)?;
        if !token.starts_with(PLATFORM_TOKEN_PREFIX) {
            return Err(wrong_kind("only platform credentials (ksm_) are accepted on the Platform API"));
        }
        let invalid = || Error::unauthorized("Auth.InvalidPlatformToken", "invalid platform token");
        if !secret::is_well_formed(token, PLATFORM_TOKEN_PREFIX) {
            return Err(invalid());
        }
        self.cached(token, Family::Platform).await?.map(|c| c.principal).ok_or_else(invalid)
    }

    /// A `ksh_` token, for the Core API.
    pub async fn organization_token(&self, token: &str) -> Result<Principal, Error> {
        Ok(self.organization_credential(token).await?.principal)
    }

    /// The credential behind a `ksh_` token, with its expiry and external ids (for the
    /// validate endpoint).
    pub async fn organization_credential(&self, token: &str) -> Result<Credential, Error> {
        let invalid = || Error::unauthorized("Auth.InvalidToken", "invalid token");
        if !secret::is_well_formed(token, ORGANIZATION_TOKEN_PREFIX) {
            return Err(invalid());
        }
        self.cached(token, Family::Organization).await?.ok_or_else(invalid)
    }

    async fn cached(&self, token: &str, family: Family) -> Result<Option<Credential>, Error> {
        let digest = secret::digest(token);
        if let Some(credential) = self.credentials.get(&digest) {
            if credential.is_live(&digest) {
                return Ok(Some(credential));
            }
            self.credentials.remove(&digest);
            return Ok(None);
        }
        let found = match family {
            Family::Organization => credentials::organization_token(&self.pool, &digest).await?,
            Family::Platform => credentials::platform_token(&self.pool, &digest).await?,
        };
        let Some(credential) = found else { return Ok(None) };
        self.credentials.insert(digest, credential.clone());
        Ok(Some(credential))
    }

    async fn jwt_principal(&self, token: &str) -> Result<Principal, Error> {
        if !self.jwt.is_configured() {
            return Err(Error::unauthorized(
                "Auth.InvalidToken",
                "JWT authentication is not configured on this server",
            ));
        }
        let claims = self.jwt.verify(token).await?;
        let key = (claims.subject.clone(), claims.external_org_id.clone());
        let provisioned = match self.jit.get(&key) {
            Some(provisioned) => provisioned,
            None => {
                let provisioned = jit::provision(&self.pool, &claims).await?;
                self.jit.insert(key, provisioned);
                provisioned
            }
        };
        Ok(Principal {
            user_id: provisioned.user_id,
            kind: PrincipalKind::Organization { organization_id: provisioned.organization_id },
            scopes: claims.scopes.into(),
            token_id: None,
        })
    }
}

impl crate::invalidation::Invalidate for Authenticator {
    /// Evicts one credential (hex digest) or, for `*`, everything.
    fn evict(&self, what: &str) {
        if what == invalidation::EVERYTHING {
            return self.evict_everything();
        }
        match secret::digest_from_hex(what) {
            Some(digest) => self.credentials.remove(&digest),
            None => self.evict_everything(),
        }
    }

    fn evict_everything(&self) {
        self.credentials.clear();
        self.jit.clear();
    }
}
