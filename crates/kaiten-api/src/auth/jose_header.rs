//! JOSE header parameters that ask the verifier to understand an extension (`crit`, RFC 7515
//! §4.1.11) or to fetch or trust a key the token itself names (`jku`, `x5u`, `jwk`, `x5c`) are
//! refused: keys come only from configuration. Checked on the header the library decoded.

use jsonwebtoken::Header;

/// Longer bearer tokens are refused before any decoding: no identity provider issues them,
/// and every byte would be base64-decoded and parsed.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why the header is refused, if it is.
pub fn refusal(header: &Header) -> Option<&'static str> {
    [
        (
            header.crit.is_some(),
            "the token's header lists critical extensions (crit), which this server does not support",
        ),
        (
            header.jku.is_some(),
            "the token's header names a key URL (jku); keys come only from this server's configuration",
        ),
        (
            header.x5u.is_some(),
            "the token's header names a certificate URL (x5u); keys come only from this server's configuration",
        ),
        (
            header.jwk.is_some(),
            "the token's header embeds a key (jwk); keys come only from this server's configuration",
        ),
        (
            header.x5c.is_some(),
            "the token's header embeds a certificate chain (x5c); keys come only from this server's configuration",
        ),
    ]
    .into_iter()
    .find_map(|(present, why)| present.then_some(why))
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::Algorithm;

    use super::*;

    #[test]
    fn extension_and_key_naming_parameters_are_refused() {
        let plain = Header { kid: Some("k1".into()), ..Header::new(Algorithm::HS256) };
        assert!(refusal(&plain).is_none());
        let cases = [
            ("crit", Header { crit: Some(vec!["exp".into()]), ..Header::default() }),
            ("jku", Header { jku: Some("https://attacker.example/keys".into()), ..Header::default() }),
            ("x5u", Header { x5u: Some("https://attacker.example/cert".into()), ..Header::default() }),
            ("x5c", Header { x5c: Some(vec!["MIIB".into()]), ..Header::default() }),
        ];
        for (name, header) in cases {
            assert!(refusal(&header).unwrap().contains(name), "{name}");
        }
    }
}
