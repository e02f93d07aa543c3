//! RS256 JWTs verified through a JWKS served on loopback, with a key generated for the test.

use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kaiten_api::ApiConfig;
use kaiten_api::auth::JwtConfig;
use serde_json::json;

fn rsa_key(dir: &std::path::Path) -> (Vec<u8>, String) {
    let key = dir.join("key.pem");
    let ok = Command::new("openssl").args(["genrsa", "-out"]).arg(&key).arg("2048").output().unwrap().status.success();
    assert!(ok, "openssl genrsa");
    let modulus = Command::new("openssl").args(["rsa", "-noout", "-modulus", "-in"]).arg(&key).output().unwrap();
    let hex = String::from_utf8(modulus.stdout).unwrap().trim().trim_start_matches("Modulus=").to_owned();
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    (std::fs::read(&key).unwrap(), URL_SAFE_NO_PAD.encode(bytes))
}

#[tokio::test]
async fn rs256_tokens_are_verified_against_the_jwks_and_issuer_and_audience_are_checked() {
    let dir = std::env::temp_dir().join(format!("kaiten-jwks-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pem, n) = rsa_key(&dir);
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"}]});
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let router = axum::Router::new().route("/jwks.json", axum::routing::get(move || async move { axum::Json(jwks) }));
    tokio::spawn(async move { axum::serve(listener, router).await });

    let config = ApiConfig {
        jwt: JwtConfig {
            jwks_url: Some(jwks_url),
            issuer: Some("https://idp.test".into()),
            audience: Some("kaiten".into()),
            ..JwtConfig::default()
        },
        ..ApiConfig::default()
    };
    let app = kaiten_testkit::spawn_app_with(config).await;
    let sign = |kid: &str, claims: serde_json::Value| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap()
    };
    let exp = chrono::Utc::now().timestamp() + 600;
    let good = json!({"sub": "u_rs", "kaiten_external_org_id": "org_rs", "scopes": ["read:customers"],
                      "iss": "https://idp.test", "aud": "kaiten", "exp": exp});
    let reply = app.core("GET", "/customers", Some(&sign("k1", good.clone())), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let mut wrong_issuer = good.clone();
    wrong_issuer["iss"] = json!("https://evil.test");
    let mut wrong_audience = good.clone();
    wrong_audience["aud"] = json!("someone-else");
    for (name, token) in [
        ("unknown kid", sign("k2", good.clone())),
        ("wrong issuer", sign("k1", wrong_issuer)),
        ("wrong audience", sign("k1", wrong_audience)),
    ] {
        let reply = app.core("GET", "/customers", Some(&token), None).await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.text);
    }
    // Algorithm confusion: an HS256 token keyed with the public modulus is not accepted.
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &good,
        &jsonwebtoken::EncodingKey::from_secret(n.as_bytes()),
    )
    .unwrap();
    assert_eq!(app.core("GET", "/customers", Some(&forged), None).await.status, 401);
    let _ = std::fs::remove_dir_all(dir);
}
