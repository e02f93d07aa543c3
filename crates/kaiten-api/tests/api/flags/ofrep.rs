//! OFREP single and bulk evaluation over HTTP: each type with the original's reasons, the bulk
//! ETag, sticky splits, and the generic OpenFeature client reading every type.

use super::{boolean_flag, create, customer_with_seats, evaluate};
use kaiten_testkit::{TestApp, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn ofrep_evaluates_each_type_with_the_originals_reasons_and_errors() {
    let app = spawn_app().await;
    let org = app.org("org_ofrep").await;
    let token = org.token.as_str();
    create(
        &app,
        &org,
        boolean_flag(
            "beta",
            json!([
                {"type": "basic", "name": "broken", "rule": "user.missing == 1", "variant": "off"},
                {"type": "basic", "name": "beta-users", "rule": "user.group == 'beta' && seats > 10", "variant": "on"}
            ]),
        ),
    )
    .await;
    create(&app, &org, json!({"slug": "banner", "name": "Banner", "description": null, "type": "string", "enabled": true,
        "event_name": "e", "metadata": {}, "targetings": null,
        "variants": [{"name": "a", "description": "", "value": "Hello"}], "default_variant": {"type": "basic", "value": "a"}})).await;
    create(&app, &org, json!({"slug": "limit", "name": "Limit", "description": null, "type": "number", "enabled": true,
        "event_name": "e", "metadata": {}, "targetings": [],
        "variants": [{"name": "low", "description": "", "value": 10}, {"name": "high", "description": "", "value": 2.5}],
        "default_variant": {"type": "rollout_percentage", "distribution": {"low": 1, "high": 1}}})).await;
    create(&app, &org, json!({"slug": "theme", "name": "Theme", "description": null, "type": "object", "enabled": false,
        "event_name": "e", "metadata": {}, "targetings": null,
        "variants": [{"name": "dark", "description": "", "value": {"bg": "#000"}}], "default_variant": {"type": "basic", "value": "dark"}})).await;

    let hit =
        evaluate(&app, token, "beta", json!({"targetingKey": "u1", "user": {"group": "beta"}, "seats": 12})).await;
    assert_eq!(hit.status, 200, "{}", hit.text);
    assert_eq!(
        (hit.body["value"].clone(), hit.body["variant"].clone(), hit.body["reason"].clone()),
        (json!(true), json!("on"), json!("TARGETING_MATCH"))
    );
    assert_eq!(hit.body["metadata"]["owner"], "growth");
    let broken = hit.body["metadata"]["kaiten.brokenTargetingRules"].as_array().unwrap();
    assert!(broken[0].as_str().unwrap().starts_with("broken: "), "{broken:?}");
    let miss =
        evaluate(&app, token, "beta", json!({"targetingKey": "u1", "user": {"group": "ga", "missing": 2}, "seats": 1}))
            .await;
    assert_eq!((miss.body["value"].clone(), miss.body["reason"].clone()), (json!(false), json!("DEFAULT")));
    assert!(miss.body["metadata"].get("kaiten.brokenTargetingRules").is_none());

    let static_ = evaluate(&app, token, "banner", json!({"targetingKey": "u1"})).await.body;
    assert_eq!((static_["value"].clone(), static_["reason"].clone()), (json!("Hello"), json!("STATIC")));
    let split = evaluate(&app, token, "limit", json!({"targetingKey": "u1"})).await.body;
    assert_eq!(split["reason"], "SPLIT");
    assert!(split["value"] == json!(10) || split["value"] == json!(2.5), "{split}");
    let disabled = evaluate(&app, token, "theme", json!({})).await.body;
    assert_eq!((disabled["value"].clone(), disabled["reason"].clone()), (json!({"bg": "#000"}), json!("DISABLED")));

    let no_key = evaluate(&app, token, "beta", json!({"user": {"group": "beta"}})).await;
    assert_eq!(no_key.status, 400);
    assert_eq!(
        (no_key.body["errorCode"].clone(), no_key.body["errorDetails"].clone()),
        (json!("PROVIDER_FATAL"), json!("missing targeting key"))
    );
    assert_eq!(no_key.body["metadata"]["owner"], "growth");
    let unknown = evaluate(&app, token, "nope", json!({"targetingKey": "u1"})).await;
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (400, json!({"key": "nope", "errorCode": "FLAG_NOT_FOUND", "errorDetails": "feature flag not found"}))
    );
    assert_eq!(unknown.content_type(), "application/json");

    // Unreadable bodies: the OFREP shape, before the scope; then the scope; no identity is a problem.
    let garbage = app
        .send(&app.core_url, "POST", "/ofrep/v1/evaluate/flags/beta", Some(token), Some("{\"context\": [".into()))
        .await;
    assert_eq!((garbage.status, garbage.body["errorCode"].clone()), (400, json!("INVALID_BODY")));
    let unscoped = app.mint(&org.id, Some(&["read:customers"])).await;
    let bad =
        app.send(&app.core_url, "POST", "/ofrep/v1/evaluate/flags/beta", Some(&unscoped), Some("[]".into())).await;
    assert_eq!((bad.status, bad.body["errorCode"].clone()), (400, json!("INVALID_BODY")));
    let refused = evaluate(&app, &unscoped, "beta", json!({"targetingKey": "u1"})).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.MissingScope"));
    let anonymous = app.core("POST", "/ofrep/v1/evaluate/flags/beta", None, Some(json!({}))).await;
    assert_eq!((anonymous.status, anonymous.content_type()), (401, "application/problem+json"));
}

/// A bulk evaluation: status, ETag and body (null when there is none).
async fn bulk(app: &TestApp, token: &str, context: Value, etag: Option<String>) -> (u16, Option<String>, Value) {
    let mut request = app
        .client
        .post(format!("{}/api/ofrep/v1/evaluate/flags", app.core_url))
        .bearer_auth(token)
        .json(&json!({"context": context}));
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    (status, etag, serde_json::from_str::<Value>(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn bulk_evaluates_every_flag_with_an_etag_that_follows_config_and_context() {
    let app = spawn_app().await;
    let org = app.org("org_ofrep_bulk").await;
    let t = Some(org.token.as_str());
    create(
        &app,
        &org,
        boolean_flag("a-flag", json!([{"type": "basic", "name": "pro", "rule": "plan == 'pro'", "variant": "on"}])),
    )
    .await;
    let mut disabled = boolean_flag("b-flag", json!(null));
    disabled["enabled"] = json!(false);
    create(&app, &org, disabled).await;

    let (status, etag, body) = bulk(&app, &org.token, json!({"targetingKey": "u1", "plan": "pro"}), None).await;
    assert_eq!(status, 200);
    let flags = body["flags"].as_array().unwrap();
    assert_eq!(flags.iter().map(|f| f["key"].as_str().unwrap()).collect::<Vec<_>>(), ["a-flag", "b-flag"]);
    assert_eq!((flags[0]["value"].clone(), flags[1]["reason"].clone()), (json!(true), json!("DISABLED")));
    let etag = etag.expect("an ETag");

    let (status, again, body) =
        bulk(&app, &org.token, json!({"targetingKey": "u1", "plan": "pro"}), Some(etag.clone())).await;
    assert_eq!((status, again.as_deref(), body), (304, Some(etag.as_str()), Value::Null));
    let (status, other, _) =
        bulk(&app, &org.token, json!({"targetingKey": "u1", "plan": "free"}), Some(etag.clone())).await;
    assert_eq!(status, 200, "a context change");
    assert_ne!(other.as_deref(), Some(etag.as_str()));

    let put = app.core("PUT", "/feature-flags/b-flag", t, Some(boolean_flag("b-flag", json!(null)))).await;
    assert_eq!(put.status, 204);
    let (status, changed, body) =
        bulk(&app, &org.token, json!({"targetingKey": "u1", "plan": "pro"}), Some(etag.clone())).await;
    assert_eq!(status, 200, "a flag change");
    assert_ne!(changed, Some(etag));
    assert_eq!(body["flags"][1]["reason"], "STATIC");

    // No body at all is an empty context (the contract makes it optional); a bad one is refused.
    let empty = app.send(&app.core_url, "POST", "/ofrep/v1/evaluate/flags", t, None).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.body["flags"][0]["errorCode"], "PROVIDER_FATAL");
    let bad = app.send(&app.core_url, "POST", "/ofrep/v1/evaluate/flags", t, Some("{\"context\": 3}".into())).await;
    assert_eq!((bad.status, bad.body["errorCode"].clone()), (400, json!("INVALID_BODY")), "{}", bad.text);
    assert!(bad.body["errorDetails"].is_string() && bad.body.get("error").is_none(), "OFREP's shape: {}", bad.text);
    // What the probe sent: an array of nulls, and a context nested deeper than any parser allows.
    let deep = format!("{{\"context\":{}{}}}", "{\"a\":".repeat(10_000), "1".to_owned() + &"}".repeat(10_000));
    for body in ["[null,null]".to_owned(), deep] {
        let bad = app.send(&app.core_url, "POST", "/ofrep/v1/evaluate/flags", t, Some(body)).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
        assert_eq!(bad.body["errorCode"], "INVALID_BODY", "{}", bad.text);
        assert!(bad.body["errorDetails"].is_string(), "{}", bad.text);
    }
}

#[tokio::test]
async fn splits_are_sticky_and_follow_their_weights_over_http() {
    let app = spawn_app().await;
    let org = app.org("org_split").await;
    create(
        &app,
        &org,
        boolean_flag(
            "ten",
            json!([{"type": "rollout_percentage", "name": "ten", "rule": "true",
        "distribution": {"on": 10, "off": 90}}]),
        ),
    )
    .await;
    let keys: Vec<String> = (0..10_000).map(|i| format!("customer-{i}")).collect();
    let mut on = 0;
    for chunk in keys.chunks(500) {
        let replies = futures_util::future::join_all(
            chunk.iter().map(|k| evaluate(&app, &org.token, "ten", json!({"targetingKey": k}))),
        )
        .await;
        on += replies.iter().filter(|r| r.body["variant"] == "on").count();
    }
    assert!((800..=1200).contains(&on), "10% ± 2 points of 10 000, got {on}");
    for key in &keys[..20] {
        let first = evaluate(&app, &org.token, "ten", json!({"targetingKey": key})).await.body;
        let second = evaluate(&app, &org.token, "ten", json!({"targetingKey": key})).await.body;
        assert_eq!(first["variant"], second["variant"]);
    }
}

/// The Python interpreter with `openfeature-sdk` and `openfeature-provider-ofrep` installed
/// (`scripts/test-deps` puts them in `target/pyenv`).
fn openfeature_python() -> std::path::PathBuf {
    if let Ok(python) = std::env::var("KAITEN_TEST_PYTHON") {
        return python.into();
    }
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pyenv/bin/python");
    assert!(python.exists(), "run scripts/test-deps first: {} is missing", python.display());
    python
}

#[tokio::test]
async fn the_generic_openfeature_client_reads_every_type() {
    let app = spawn_app().await;
    let org = app.org("org_openfeature").await;
    let (customer, family) = customer_with_seats(&app, &org).await;
    create(
        &app,
        &org,
        boolean_flag("checkout", json!([{"type": "basic", "name": "pro", "rule": "plan == 'pro'", "variant": "on"}])),
    )
    .await;
    create(
        &app,
        &org,
        boolean_flag(
            "licensed",
            json!([{"type": "basic", "name": "bought", "variant": "on",
        "rule": format!("__kaiten.license.familySlug == '{family}'")}]),
        ),
    )
    .await;
    let flag = |slug: &str, kind: &str, value: Value| {
        json!({"slug": slug, "name": slug, "description": null, "type": kind,
        "enabled": true, "event_name": "e", "metadata": {}, "targetings": null,
        "variants": [{"name": "v", "description": "", "value": value}], "default_variant": {"type": "basic", "value": "v"}})
    };
    create(&app, &org, flag("banner", "string", json!("Hello"))).await;
    create(&app, &org, flag("limit", "number", json!(42))).await;
    create(&app, &org, flag("ratio", "number", json!(0.25))).await;
    create(&app, &org, flag("theme", "object", json!({"bg": "#000", "sizes": [1, 2]}))).await;

    let base = format!("{}/api", app.core_url);
    let token = org.token.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(openfeature_python())
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/ofrep_client.py"))
            .args([&base, &token, &customer])
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (seen["boolean"]["value"].clone(), seen["boolean"]["reason"].clone()),
        (json!(true), json!("TARGETING_MATCH")),
        "{seen}"
    );
    assert_eq!(seen["boolean"]["metadata"]["owner"], "growth");
    assert_eq!(
        (seen["boolean_from_license"]["value"].clone(), seen["boolean_from_license"]["variant"].clone()),
        (json!(true), json!("on"))
    );
    assert_eq!((seen["string"]["value"].clone(), seen["string"]["reason"].clone()), (json!("Hello"), json!("STATIC")));
    assert_eq!(seen["integer"]["value"], 42);
    assert_eq!(seen["float"]["value"], 0.25);
    assert_eq!(seen["object"]["value"], json!({"bg": "#000", "sizes": [1, 2]}));
    assert_eq!(
        (seen["missing"]["value"].clone(), seen["missing"]["error_code"].clone()),
        (json!(true), json!("FLAG_NOT_FOUND"))
    );
}
