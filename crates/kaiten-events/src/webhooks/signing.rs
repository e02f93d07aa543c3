//! Webhook signatures in the Svix / Standard Webhooks format, which the official SDK's
//! `verify_webhook` checks: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by
//! the bytes a `whsec_<base64>` secret encodes. During a secret rotation every live key signs,
//! space-separated, and a receiver accepts any.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const PREFIX: &str = "whsec_";

/// A signing key. Never logged: its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SecretError {
    #[error("a webhook secret is `whsec_` followed by base64")]
    Format,
    #[error("a webhook secret encodes 24 to 64 bytes")]
    Length,
}

impl SigningKey {
    /// A fresh key of 32 random bytes.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A `whsec_…` secret (as shown to the endpoint's owner) to its key.
    pub fn parse(secret: &str) -> Result<Self, SecretError> {
        let encoded = secret.strip_prefix(PREFIX).ok_or(SecretError::Format)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| SecretError::Format)?;
        Self::from_bytes(bytes).ok_or(SecretError::Length)
    }

    /// A key from its raw bytes (as stored), if their length is one a secret may have.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        (24..=64).contains(&bytes.len()).then_some(Self(bytes))
    }

    /// The secret as the endpoint's owner sees it.
    pub fn to_secret(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

/// The signature header value: one `v1,<base64>` per key, space-separated.
pub fn sign(keys: &[SigningKey], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter().map(|key| format!("v1,{}", STANDARD.encode(key.mac(id, timestamp, body)))).collect::<Vec<_>>().join(" ")
}

/// Whether any `v1` signature in `header` is `key`'s for this message (constant-time compare).
pub fn verify(key: &SigningKey, header: &str, id: &str, timestamp: i64, body: &[u8]) -> bool {
    let expected = key.mac(id, timestamp, body);
    header
        .split(' ')
        .filter_map(|part| part.strip_prefix("v1,"))
        .any(|encoded| STANDARD.decode(encoded).is_ok_and(|presented| presented.ct_eq(&expected).into()))
}

/// The headers a delivery carries: Svix's names (what the official SDK reads) and the same
/// values under the Standard Webhooks names.
pub fn headers(id: &str, timestamp: i64, signature: &str) -> [(&'static str, String); 6] {
    let timestamp = timestamp.to_string();
    [
        ("svix-id", id.to_owned()),
        ("svix-timestamp", timestamp.clone()),
        ("svix-signature", signature.to_owned()),
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp),
        ("webhook-signature", signature.to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_reference_vector() {
        let key = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = sign(&[key], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn every_live_key_signs_and_each_verifies_alone() {
        let (old, new) = (SigningKey::generate(), SigningKey::generate());
        let header = sign(&[new.clone(), old.clone()], "msg_1", 1_700_000_000, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert!(verify(&old, &header, "msg_1", 1_700_000_000, b"{}"));
        assert!(verify(&new, &header, "msg_1", 1_700_000_000, b"{}"));
        assert!(!verify(&new, &header, "msg_1", 1_700_000_001, b"{}"), "the timestamp is signed");
        assert!(!verify(&new, &header, "msg_1", 1_700_000_000, b"{ }"), "the body is signed");
        assert!(!verify(&SigningKey::generate(), &header, "msg_1", 1_700_000_000, b"{}"));
    }

    #[test]
    fn secrets_round_trip_and_bad_ones_are_refused() {
        let key = SigningKey::generate();
        let secret = key.to_secret();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(SigningKey::parse(&secret).unwrap().as_bytes(), key.as_bytes());
        assert_eq!(SigningKey::parse("sk_abc").unwrap_err(), SecretError::Format);
        assert_eq!(SigningKey::parse("whsec_!!").unwrap_err(), SecretError::Format);
        assert_eq!(
            SigningKey::parse(&format!("whsec_{}", STANDARD.encode([0u8; 8]))).unwrap_err(),
            SecretError::Length
        );
        assert_eq!(format!("{key:?}"), "SigningKey(…)", "never printed");
    }
}
