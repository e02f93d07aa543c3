//! The JOSE header is read by us before the library sees it: parameters that ask the verifier
//! to understand an extension (`crit`, RFC 7515 §4.1.11) or to fetch or trust a key the token
//! itself names (`jku`, `x5u`, `jwk`, `x5c`) are refused. Keys come only from configuration.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// Longer bearer tokens are refused before any decoding: no identity provider issues them,
/// and every byte would be base64-decoded and parsed.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

const REFUSED: &[(&str, &str)] = &[
    ("crit", "the token's header lists critical extensions (crit), which this server does not support"),
    ("jku", "the token's header names a key URL (jku); keys come only from this server's configuration"),
    ("x5u", "the token's header names a certificate URL (x5u); keys come only from this server's configuration"),
    ("jwk", "the token's header embeds a key (jwk); keys come only from this server's configuration"),
    ("x5c", "the token's header embeds a certificate chain (x5c); keys come only from this server's configuration"),
];

/// Why the header is refused, if it is.
pub fn refusal(token: &str) -> Option<&'static str> {
    if token.len() > MAX_TOKEN_BYTES {
        return Some("the bearer token is too long");
    }
    let encoded = token.split('.').next()?;
    let bytes = URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok()?;
    // Unreadable headers are left to the library, which refuses them with its own reason.
    let header: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    REFUSED.iter().find(|(name, _)| header.contains_key(*name)).map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str) -> String {
        format!("{}.e30.sig", URL_SAFE_NO_PAD.encode(header))
    }

    #[test]
    fn extension_and_key_naming_parameters_are_refused() {
        assert!(refusal(&token(r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#)).is_none());
        for name in ["crit", "jku", "x5u", "jwk", "x5c"] {
            let why = refusal(&token(&format!(r#"{{"alg":"HS256","{name}":["exp"]}}"#))).unwrap();
            assert!(why.contains(name), "{name}: {why}");
        }
        assert!(refusal(&"a".repeat(MAX_TOKEN_BYTES + 1)).is_some());
        assert!(refusal("not-base64!.x.y").is_none(), "left to the library");
    }
}
