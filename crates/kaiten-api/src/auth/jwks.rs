//! A JWKS fetched over HTTP and cached; an unknown `kid` triggers a refresh, at most once every
//! few seconds so that forged kids cannot hammer the identity provider.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use kaiten_kernel::Error;
use tokio::sync::RwLock;

const REFRESH_EVERY: Duration = Duration::from_secs(600);
const MIN_REFRESH_GAP: Duration = Duration::from_secs(5);

pub struct Jwks {
    url: String,
    client: reqwest::Client,
    state: RwLock<Option<(JwkSet, Instant)>>,
}

impl Jwks {
    pub fn new(url: String) -> Self {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap_or_default();
        Self { url, client, state: RwLock::new(None) }
    }

    /// The key for `kid`, whose type must match the token's algorithm (no confusion between an
    /// RSA public key and an HMAC secret, or between RSA and EC).
    pub async fn key(&self, kid: Option<&str>, alg: Algorithm) -> Result<DecodingKey, Error> {
        let kid = kid.ok_or_else(|| Error::unauthorized("Auth.InvalidToken", "the token names no key (kid)"))?;
        if let Some(key) = self.lookup(kid, alg).await? {
            return Ok(key);
        }
        self.refresh().await?;
        self.lookup(kid, alg)
            .await?
            .ok_or_else(|| Error::unauthorized("Auth.InvalidToken", "the token's key is not in the JWKS"))
    }

    async fn lookup(&self, kid: &str, alg: Algorithm) -> Result<Option<DecodingKey>, Error> {
        let state = self.state.read().await;
        let Some((set, fetched)) = state.as_ref() else { return Ok(None) };
        if fetched.elapsed() > REFRESH_EVERY {
            return Ok(None);
        }
        let Some(jwk) = set.find(kid) else { return Ok(None) };
        let type_matches = matches!(
            (&jwk.algorithm, alg),
            (AlgorithmParameters::RSA(_), Algorithm::RS256) | (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
        );
        if !type_matches {
            return Err(Error::unauthorized("Auth.InvalidToken", "the token's algorithm does not match its key"));
        }
        DecodingKey::from_jwk(jwk)
            .map(Some)
            .map_err(|_| Error::unauthorized("Auth.InvalidToken", "the JWKS key cannot be used"))
    }

    async fn refresh(&self) -> Result<(), Error> {
        let mut state = self.state.write().await;
        if state.as_ref().is_some_and(|(_, fetched)| fetched.elapsed() < MIN_REFRESH_GAP) {
            return Ok(());
        }
        let fetched = async {
            let response = self.client.get(&self.url).send().await?.error_for_status()?;
            response.json::<JwkSet>().await
        }
        .await;
        match fetched {
            Ok(set) => {
                *state = Some((set, Instant::now()));
                Ok(())
            }
            Err(err) => {
                tracing::warn!(url = %self.url, error = %err, "cannot fetch the JWKS");
                Err(Error::unavailable("Auth.JwksUnavailable", "the identity provider's keys cannot be fetched"))
            }
        }
    }
}
