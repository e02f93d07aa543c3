//! Credential secrets: generated from 32 random bytes, stored only as a SHA-256 digest, compared
//! in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const ORGANIZATION_TOKEN_PREFIX: &str = "ksh_";
pub const PLATFORM_TOKEN_PREFIX: &str = "ksm_";
pub const SERVICE_ACCOUNT_PREFIX: &str = "ksa_";

/// The fewest bytes a configured secret may have (a JWT HMAC key, the server key): RFC 7518
/// §3.2 asks an HS256 key to be at least as long as the hash, and shorter ones are guessable.
pub const MIN_CONFIGURED_SECRET_BYTES: usize = 32;

/// Why a configured secret cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakSecret {
    /// Set, but empty or only whitespace: it must not silently count as a key.
    #[error("it is set but empty; unset it, or give it {MIN_CONFIGURED_SECRET_BYTES} bytes or more")]
    Blank,
    #[error("it has {0} bytes; it needs {MIN_CONFIGURED_SECRET_BYTES} or more")]
    Short(usize),
}

/// Whether a secret taken from configuration is strong enough to be used as a key.
pub fn check_configured(secret: &str) -> Result<(), WeakSecret> {
    if secret.trim().is_empty() {
        return Err(WeakSecret::Blank);
    }
    if secret.len() < MIN_CONFIGURED_SECRET_BYTES {
        return Err(WeakSecret::Short(secret.len()));
    }
    Ok(())
}

/// A prefix followed by 32 random bytes in unpadded base64url (43 characters).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The lookup digest: SHA-256 of the whole plaintext, prefix included.
pub fn digest(plaintext: &str) -> [u8; 32] {
    Sha256::digest(plaintext.as_bytes()).into()
}

pub fn digest_matches(stored: &[u8], presented: &[u8; 32]) -> bool {
    stored.ct_eq(presented).into()
}

/// A digest as the hex text carried by cache-invalidation notifications.
pub fn digest_to_hex(digest: &[u8]) -> String {
    hex::encode(digest)
}

pub fn digest_from_hex(text: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    hex::decode_to_slice(text, &mut digest).ok()?;
    Some(digest)
}

/// Whether the plaintext has the shape of a credential of this prefix, before any lookup.
pub fn is_well_formed(plaintext: &str, prefix: &str) -> bool {
    plaintext.strip_prefix(prefix).is_some_and(|body| {
        (32..=128).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_secrets_must_be_present_and_long() {
        assert_eq!(check_configured(""), Err(WeakSecret::Blank));
        assert_eq!(check_configured(" \t\n "), Err(WeakSecret::Blank));
        assert_eq!(check_configured(&" ".repeat(40)), Err(WeakSecret::Blank));
        assert_eq!(check_configured("short"), Err(WeakSecret::Short(5)));
        assert_eq!(check_configured(&"x".repeat(31)), Err(WeakSecret::Short(31)));
        assert_eq!(check_configured(&"x".repeat(32)), Ok(()));
    }

    #[test]
    fn generated_tokens_are_prefixed_unique_and_well_formed() {
        let a = generate(ORGANIZATION_TOKEN_PREFIX);
        let b = generate(ORGANIZATION_TOKEN_PREFIX);
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert!(is_well_formed(&a, ORGANIZATION_TOKEN_PREFIX));
        assert!(!is_well_formed(&a, PLATFORM_TOKEN_PREFIX));
        assert!(!is_well_formed("ksh_short", ORGANIZATION_TOKEN_PREFIX));
        assert!(!is_well_formed("ksh_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", ORGANIZATION_TOKEN_PREFIX));
    }

    #[test]
    fn digest_is_sha256_of_the_whole_plaintext() {
        assert_eq!(hex::encode(digest("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let d = digest("ksh_x");
        assert!(digest_matches(&d, &d));
        assert!(!digest_matches(&digest("ksh_y"), &d));
        assert!(!digest_matches(&d[..31], &d), "a truncated digest never matches");
        assert_eq!(digest_from_hex(&digest_to_hex(&d)), Some(d));
        assert_eq!(digest_from_hex("abc"), None);
    }
}
