//! The endpoints API: create (secret shown), read, list (never a secret), update, delete,
//! validation, the server key requirement, and isolation between organizations.

use kaiten_testkit::{spawn_app, spawn_app_with, webhooks};
use serde_json::json;

use super::endpoint;

#[tokio::test]
async fn endpoints_are_created_with_a_secret_read_listed_updated_and_deleted() {
    let app = spawn_app_with(webhooks::api_config()).await;
    let org = app.org("org_wh_crud").await;
    let t = Some(org.token.as_str());
    let created = endpoint(
        &app,
        &org,
        "https://hooks.example.com/a",
        &["CUSTOMER_CREATED", "com.kaiten.customer.v1.created", "LICENSE_CREATED"],
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{created}");
    // Names and types name the same event; the filter keeps types, once each, in order.
    assert_eq!(created["eventTypes"], json!(["com.kaiten.customer.v1.created", "com.kaiten.license.v1.created"]));
    assert_eq!(created["disabled"], json!(false));

    let got = app.core("GET", &format!("/webhooks/endpoints/{id}"), t, None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["url"], "https://hooks.example.com/a");
    let listed = app.core("GET", "/webhooks/endpoints", t, None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    for reply in [&got, &listed] {
        assert!(!reply.text.contains(secret) && !reply.text.contains("secret"), "{}", reply.text);
    }
    let read = app.core("GET", &format!("/webhooks/endpoints/{id}/secret"), t, None).await;
    assert_eq!(read.body, json!({"key": secret}));
    // At rest the key is sealed: neither the secret nor its bytes are in the table.
    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT sealed FROM webhook_endpoint_key").fetch_one(&app.pool).await.unwrap();
    let raw = kaiten_events::webhooks::signing::SigningKey::parse(secret).unwrap();
    assert!(!sealed.windows(raw.as_bytes().len()).any(|w| w == raw.as_bytes()));

    let updated = app
        .core("PUT", &format!("/webhooks/endpoints/{id}"), t, Some(json!({"description": "billing", "disabled": true})))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["description"], "billing");
    assert_eq!(updated.body["disabled"], json!(true));
    assert_eq!(updated.body["disabledReason"], "disabled by a user");
    assert_eq!(updated.body["eventTypes"].as_array().unwrap().len(), 2, "omitted fields stay");
    let enabled = app
        .core("PUT", &format!("/webhooks/endpoints/{id}"), t, Some(json!({"disabled": false, "eventTypes": []})))
        .await;
    assert_eq!(enabled.body["disabled"], json!(false));
    assert!(enabled.body.get("disabledReason").is_none());
    assert_eq!(enabled.body["eventTypes"], json!([]));

    assert_eq!(app.core("DELETE", &format!("/webhooks/endpoints/{id}"), t, None).await.status, 204);
    let gone = app.core("GET", &format!("/webhooks/endpoints/{id}"), t, None).await;
    assert_eq!((gone.status, gone.code()), (404, "WebhookEndpoint.NotFound"));
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_endpoint_key").fetch_one(&app.pool).await.unwrap();
    assert_eq!(keys, 0);
}

#[tokio::test]
async fn bad_endpoints_are_refused_and_nothing_is_written() {
    let app = spawn_app_with(webhooks::api_config()).await;
    let org = app.org("org_wh_bad").await;
    let t = Some(org.token.as_str());
    let cases = [
        (json!({"url": "ftp://example.com/x"}), 422, "WebhookEndpoint.InvalidUrl"),
        (json!({"url": "https://user:pw@example.com/"}), 422, "WebhookEndpoint.InvalidUrl"),
        (
            json!({"url": "https://example.com/", "eventTypes": ["CUSTOMER_CREATED", "NOPE"]}),
            422,
            "WebhookEndpoint.UnknownEventType",
        ),
        (json!({"url": "https://example.com/", "secret": "whsec_x"}), 422, ""),
        (json!({"url": ""}), 422, ""),
        (json!({"description": "no url"}), 422, ""),
    ];
    for (body, status, code) in cases {
        let reply = app.core("POST", "/webhooks/endpoints", t, Some(body.clone())).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        if !code.is_empty() {
            assert_eq!(reply.code(), code, "{body}");
        }
    }
    let unknown = app
        .core("POST", "/webhooks/endpoints", t, Some(json!({"url": "https://e.com/", "eventTypes": ["NOPE"]})))
        .await;
    assert_eq!(unknown.body["errors"][0]["location"], "body.eventTypes[0]", "{}", unknown.text);
    let created = endpoint(&app, &org, "https://example.com/ok", &[]).await;
    let id = created["id"].as_str().unwrap();
    let bad_update = app
        .core("PUT", &format!("/webhooks/endpoints/{id}"), t, Some(json!({"url": "nope", "description": "x"})))
        .await;
    assert_eq!(bad_update.code(), "WebhookEndpoint.InvalidUrl");
    let bad_rotation = app
        .core("POST", &format!("/webhooks/endpoints/{id}/secret/rotate"), t, Some(json!({"key": "whsec_dG9vc2hvcnQ="})))
        .await;
    assert_eq!((bad_rotation.status, bad_rotation.code()), (422, "WebhookEndpoint.InvalidSecret"));
    let endpoints: Vec<(String, String)> =
        sqlx::query_as("SELECT url, description FROM webhook_endpoint").fetch_all(&app.pool).await.unwrap();
    assert_eq!(endpoints, vec![("https://example.com/ok".to_owned(), String::new())]);
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_endpoint_key").fetch_one(&app.pool).await.unwrap();
    assert_eq!(keys, 1);
    for path in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        let reply = app.core("GET", &format!("/webhooks/endpoints/{path}/deliveries"), t, None).await;
        assert_eq!((reply.status, reply.code()), (404, "WebhookEndpoint.NotFound"));
    }
    let bad_status = app.core("GET", &format!("/webhooks/endpoints/{id}/deliveries?status=lost"), t, None).await;
    assert_eq!(bad_status.status, 422);
}

#[tokio::test]
async fn private_targets_are_refused_unless_the_operator_allows_them() {
    let mut config = webhooks::api_config();
    config.webhooks.allow_private = false;
    let app = spawn_app_with(config).await;
    let org = app.org("org_wh_ssrf").await;
    for url in [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://169.254.169.254/latest",
        "http://[::1]/",
        "http://10.0.0.8/",
    ] {
        let reply = app.core("POST", "/webhooks/endpoints", Some(&org.token), Some(json!({"url": url}))).await;
        assert_eq!((reply.status, reply.code()), (422, "WebhookEndpoint.PrivateTarget"), "{url}");
    }
    assert_eq!(endpoint(&app, &org, "https://hooks.example.com/", &[]).await["url"], "https://hooks.example.com/");
}

#[tokio::test]
async fn without_a_server_key_endpoints_cannot_be_created() {
    let app = spawn_app().await;
    let org = app.org("org_wh_nokey").await;
    let reply = app.core("POST", "/webhooks/endpoints", Some(&org.token), Some(json!({"url": "https://e.com/"}))).await;
    assert_eq!((reply.status, reply.code()), (503, "Webhooks.SecretKeyMissing"), "{}", reply.text);
    assert!(reply.text.contains("KAITEN_SECRET_KEY"));
}

#[tokio::test]
async fn another_organizations_endpoints_do_not_exist_and_scopes_are_enforced() {
    let app = spawn_app_with(webhooks::api_config()).await;
    let (a, b) = (app.org("org_wh_a").await, app.org("org_wh_b").await);
    let created = endpoint(&app, &a, "https://a.example.com/", &[]).await;
    let id = created["id"].as_str().unwrap();
    let tb = Some(b.token.as_str());
    for (method, path, body) in [
        ("GET", format!("/webhooks/endpoints/{id}"), None),
        ("PUT", format!("/webhooks/endpoints/{id}"), Some(json!({"description": "mine"}))),
        ("DELETE", format!("/webhooks/endpoints/{id}"), None),
        ("GET", format!("/webhooks/endpoints/{id}/secret"), None),
        ("POST", format!("/webhooks/endpoints/{id}/secret/rotate"), Some(json!({}))),
        ("GET", format!("/webhooks/endpoints/{id}/deliveries"), None),
        ("POST", format!("/webhooks/endpoints/{id}/recover"), Some(json!({"since": "2026-01-01T00:00:00Z"}))),
    ] {
        let reply = app.core(method, &path, tb, body).await;
        assert_eq!((reply.status, reply.code()), (404, "WebhookEndpoint.NotFound"), "{method} {path}");
    }
    assert_eq!(app.core("GET", "/webhooks/endpoints", tb, None).await.body["items"], json!([]));
    assert_eq!(
        app.core("GET", &format!("/webhooks/endpoints/{id}"), Some(&a.token), None).await.body["description"],
        ""
    );

    let reader = app.mint(&a.id, Some(&["read:webhooks"])).await;
    let none = app.mint(&a.id, Some(&["read:customers"])).await;
    assert_eq!(app.core("GET", &format!("/webhooks/endpoints/{id}"), Some(&reader), None).await.status, 200);
    let denied = app.core("POST", "/webhooks/endpoints", Some(&reader), Some(json!({"url": "https://e.com/"}))).await;
    assert_eq!((denied.status, denied.code()), (403, "Auth.MissingScope"));
    let denied = app.core("GET", &format!("/webhooks/endpoints/{id}/secret"), Some(&none), None).await;
    assert_eq!(denied.status, 403);
}
