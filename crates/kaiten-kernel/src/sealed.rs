//! Secrets the server must read back (webhook signing keys): sealed at rest with
//! XChaCha20-Poly1305 under a key derived from `KAITEN_SECRET_KEY`, bound to the row they
//! belong to, so a sealed value copied onto another row does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;
const NONCE: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SealError {
    #[error("the server key cannot be used: {0}")]
    WeakKey(crate::secret::WeakSecret),
    #[error("the sealed value is damaged, or belongs to another key or row")]
    Open,
}

/// Seals and opens; holds only the derived key, and never prints it.
pub struct Sealer(XChaCha20Poly1305);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

impl Sealer {
    pub fn new(server_key: &str) -> Result<Self, SealError> {
        crate::secret::check_configured(server_key).map_err(SealError::WeakKey)?;
        let key = Sha256::new().chain_update(b"kaiten.sealed.v1\0").chain_update(server_key.as_bytes()).finalize();
        Ok(Self(XChaCha20Poly1305::new(&key)))
    }

    /// `version || nonce || ciphertext+tag`; `context` (e.g. the row's id) must be given again
    /// to open it.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: context })
            .expect("encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Open)?;
        if version != VERSION || rest.len() < NONCE {
            return Err(SealError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| SealError::Open)?;
        self.0.decrypt(&XNonce::from(nonce), Payload { msg: ciphertext, aad: context }).map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a server key that is long enough to be used";

    #[test]
    fn sealed_values_open_only_with_their_key_and_row() {
        let sealer = Sealer::new(KEY).unwrap();
        let sealed = sealer.seal(b"whsec_secret", b"endpoint-1");
        assert!(!sealed.windows(12).any(|w| w == b"whsec_secret"), "the plaintext is not in the sealed value");
        assert_eq!(sealer.open(&sealed, b"endpoint-1").unwrap(), b"whsec_secret");
        assert_ne!(sealer.seal(b"whsec_secret", b"endpoint-1"), sealed, "a fresh nonce each time");
        assert_eq!(sealer.open(&sealed, b"endpoint-2"), Err(SealError::Open), "bound to its row");
        let other = Sealer::new("another server key, also long enough").unwrap();
        assert_eq!(other.open(&sealed, b"endpoint-1"), Err(SealError::Open));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(sealer.open(&tampered, b"endpoint-1"), Err(SealError::Open));
        assert_eq!(sealer.open(&sealed[..10], b"endpoint-1"), Err(SealError::Open));
        assert_eq!(sealer.open(&[], b"endpoint-1"), Err(SealError::Open));
    }

    #[test]
    fn short_server_keys_are_refused_and_keys_are_never_printed() {
        assert_eq!(Sealer::new("short").unwrap_err(), SealError::WeakKey(crate::secret::WeakSecret::Short(5)));
        assert!(matches!(Sealer::new(&" ".repeat(40)), Err(SealError::WeakKey(crate::secret::WeakSecret::Blank))));
        assert_eq!(format!("{:?}", Sealer::new(KEY).unwrap()), "Sealer(…)");
    }
}
