//! Feature flags over HTTP: CRUD and its validation, the rule tools, OFREP single and bulk
//! (facts, ETag), the manifest, isolation, the evaluation audit and cross-replica invalidation.

use std::time::Duration;

use kaiten_testkit::{Org, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::support::{events, instance_with};

fn boolean_flag(slug: &str, targetings: Value) -> Value {
    json!({
        "slug": slug, "name": format!("Flag {slug}"), "description": null, "type": "boolean", "enabled": true,
        "event_name": "flag_evaluated", "metadata": {"owner": "growth"},
        "variants": [{"name": "on", "description": "enabled", "value": true},
                     {"name": "off", "description": "disabled", "value": false}],
        "default_variant": {"type": "basic", "value": "off"},
        "targetings": targetings
    })
}

async fn create(app: &TestApp, org: &Org, body: Value) -> Value {
    let reply = app.core("POST", "/feature-flags", Some(&org.token), Some(body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn evaluate(app: &TestApp, token: &str, key: &str, context: Value) -> kaiten_testkit::Reply {
    app.core("POST", &format!("/ofrep/v1/evaluate/flags/{key}"), Some(token), Some(json!({"context": context}))).await
}

/// An instance `prod` of a customer on a license granting 10 `seats`; answers the customer's
/// slug and the license family's.
async fn customer_with_seats(app: &TestApp, org: &Org) -> (String, String) {
    let instance = instance_with(
        app,
        org,
        "prod",
        &[(
            json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
            json!({"value": {"type": "number", "value": 10}}),
        )],
    )
    .await;
    sqlx::query_as(
        "SELECT c.slug, lf.slug FROM customer c, license l JOIN license_family lf ON lf.id = l.family_id
          WHERE c.id = $1::uuid AND l.id = $2::uuid",
    )
    .bind(instance["customerId"].as_str().unwrap())
    .bind(instance["licenseId"].as_str().unwrap())
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn flags_are_created_read_listed_replaced_and_deleted_with_events() {
    let app = spawn_app().await;
    let org = app.org("org_flags_crud").await;
    let t = Some(org.token.as_str());
    let mut body =
        boolean_flag("x", json!([{"type": "basic", "name": "beta", "rule": "user.group == 'beta'", "variant": "on"}]));
    body.as_object_mut().unwrap().remove("slug");
    let created = create(&app, &org, body).await;
    let slug = created["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("flag-x-"), "generated from the name: {slug}");
    assert_eq!(created["default_variant"], json!({"type": "basic", "value": "off"}));
    assert_eq!(created["targetings"][0]["rule"], "user.group == 'beta'");
    assert_eq!(created["event_name"], "flag_evaluated");

    let got = app.core("GET", &format!("/feature-flags/{slug}"), t, None).await;
    assert_eq!((got.status, &got.body), (200, &created));

    for i in 0..3 {
        create(&app, &org, boolean_flag(&format!("more-{i}"), json!(null))).await;
    }
    let page = app.core("GET", "/feature-flags?limit=3", t, None).await.body;
    assert_eq!((page["items"].as_array().unwrap().len(), &page["hasMore"]), (3, &json!(true)));
    let rest = app
        .core("GET", &format!("/feature-flags?limit=3&cursor={}", page["nextCursor"].as_str().unwrap()), t, None)
        .await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
    assert!(rest.body.get("nextCursor").is_none());

    // Full replacement, slug included.
    let mut replacement = boolean_flag("renamed", json!(null));
    replacement["enabled"] = json!(false);
    let put = app.core("PUT", &format!("/feature-flags/{slug}"), t, Some(replacement)).await;
    assert_eq!(put.status, 204, "{}", put.text);
    assert_eq!(app.core("GET", &format!("/feature-flags/{slug}"), t, None).await.code(), "GetFeatureFlag.NotFound");
    let renamed = app.core("GET", "/feature-flags/renamed", t, None).await.body;
    assert_eq!(
        (renamed["enabled"].clone(), renamed["targetings"].clone(), renamed["id"].clone()),
        (json!(false), json!(null), created["id"].clone())
    );
    let taken = app.core("PUT", "/feature-flags/renamed", t, Some(boolean_flag("more-0", json!(null)))).await;
    assert_eq!((taken.status, taken.code()), (409, "UpdateFeatureFlag.SlugConflict"));
    let dup = app.core("POST", "/feature-flags", t, Some(boolean_flag("more-1", json!(null)))).await;
    assert_eq!((dup.status, dup.code()), (409, "CreateFeatureFlag.SlugConflict"));

    assert_eq!(app.core("DELETE", "/feature-flags/renamed", t, None).await.status, 204);
    assert_eq!(app.core("DELETE", "/feature-flags/renamed", t, None).await.code(), "DeleteFeatureFlag.NotFound");
    assert_eq!(
        app.core("PUT", "/feature-flags/renamed", t, Some(boolean_flag("zz", json!(null)))).await.code(),
        "UpdateFeatureFlag.NotFound"
    );

    let written: Vec<(String, Value)> = events(&app, &org.id)
        .await
        .into_iter()
        .filter(|e| e.0.starts_with("FEATURE_FLAG_"))
        .map(|e| (e.0, e.2))
        .collect();
    let names: Vec<&str> = written.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "FEATURE_FLAG_CREATED",
            "FEATURE_FLAG_CREATED",
            "FEATURE_FLAG_CREATED",
            "FEATURE_FLAG_CREATED",
            "FEATURE_FLAG_UPDATED",
            "FEATURE_FLAG_DELETED"
        ]
    );
    assert_eq!(written[0].1, created, "the payload is the flag");
    assert_eq!(written[5].1["slug"], "renamed");
}

#[tokio::test]
async fn invalid_flags_are_refused_with_the_originals_messages_and_nothing_is_written() {
    let app = spawn_app().await;
    let org = app.org("org_flags_invalid").await;
    let t = Some(org.token.as_str());
    crate::support::entitlement(
        &app,
        &org,
        json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
    )
    .await;
    let cases = [
        (
            json!({"default_variant": {"type": "basic", "value": "maybe"}}),
            "default variant references non-existent variants: [maybe]",
        ),
        (
            json!({"variants": [{"name": "off", "description": "", "value": 1}]}),
            "variant \"off\" has type float64 but flag type is boolean",
        ),
        (
            json!({"metadata": {"fallback_value": "yes"}}),
            "metadata fallback_value has type string but flag type is boolean",
        ),
        (
            json!({"targetings": [{"type": "rollout_percentage", "name": "r", "rule": "true", "distribution": {"ghost": 1}}]}),
            "targeting rule 0 references non-existent variants: [ghost]",
        ),
        (
            json!({"targetings": [{"type": "basic", "name": "r", "rule": "__kaiten.entitlements['sieges'].used > 1", "variant": "on"}]}),
            "targets the entitlement \"sieges\", which this organization does not have",
        ),
        (
            json!({"targetings": [{"type": "basic", "name": "r", "rule": "__kaiten.license.plan == 'x'", "variant": "on"}]}),
            "reads __kaiten.license.plan, which does not exist — available: slug, familySlug, type",
        ),
    ];
    for (patch, message) in cases {
        let mut body = boolean_flag("bad", json!(null));
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = app.core("POST", "/feature-flags", t, Some(body)).await;
        assert_eq!((reply.status, reply.code()), (400, "VALIDATION_FAILED"), "{}", reply.text);
        let got = reply.body["errors"][0]["message"].as_str().unwrap();
        assert!(got.ends_with(message), "{got}");
        assert_eq!(reply.body["errors"][0]["location"], "body.errors");
    }
    // A rule that does not parse, or is blank, is a malformed body.
    for rule in ["user.plan ==", "  "] {
        let reply = app
            .core(
                "POST",
                "/feature-flags",
                t,
                Some(boolean_flag("bad", json!([{"type": "basic", "name": "r", "rule": rule, "variant": "on"}]))),
            )
            .await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.body["errors"][0]["location"], "body.targetings[0].rule");
    }
    // The schema: unknown type, unknown targeting kind, an over-long rule, missing fields.
    let mut wrong_type = boolean_flag("bad", json!(null));
    wrong_type["type"] = json!("date");
    let long_rule = "true && ".repeat(1300) + "true";
    for body in [
        wrong_type,
        boolean_flag("bad", json!([{"type": "fancy", "name": "r", "rule": "true", "variant": "on"}])),
        boolean_flag("bad", json!([{"type": "basic", "name": "r", "rule": long_rule, "variant": "on"}])),
        json!({"name": "no type"}),
    ] {
        assert_eq!(app.core("POST", "/feature-flags", t, Some(body)).await.status, 422);
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM feature_flag").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 0);
    assert!(crate::support::event_names(&app, &org.id, "FEATURE_FLAG").await.is_empty());
}

#[tokio::test]
async fn the_rule_tools_describe_lint_and_rehearse() {
    let app = spawn_app().await;
    let org = app.org("org_flags_tools").await;
    let t = Some(org.token.as_str());
    let (customer, family) = customer_with_seats(&app, &org).await;

    let tree = app.core("GET", "/feature-flags/targeting/context", t, None).await;
    assert_eq!(tree.status, 200);
    let kaiten = &tree.body["roots"][0];
    assert_eq!(
        (kaiten["name"].as_str(), tree.body["roots"][1]["name"].as_str()),
        (Some("__kaiten"), Some("targetingKey"))
    );
    let entitlements = kaiten["fields"].as_array().unwrap().iter().find(|f| f["name"] == "entitlements").unwrap();
    assert_eq!((entitlements["type"].as_str(), &entitlements["knownKeys"]), (Some("map"), &json!(["seats"])));
    assert_eq!(entitlements["values"]["fields"].as_array().unwrap().len(), 5);

    let lint = app
        .core(
            "POST",
            "/feature-flags/targeting/lint",
            t,
            Some(json!({"rule": "__kaiten.entitlements.seats.remaining > 0"})),
        )
        .await;
    assert_eq!(lint.body, json!({"issues": [], "valid": true}));
    let lint = app
        .core(
            "POST",
            "/feature-flags/targeting/lint",
            t,
            Some(json!({"rule": "__kaiten.entitlements['sieges'].used > 1"})),
        )
        .await;
    assert_eq!(lint.body["valid"], false);
    assert_eq!(
        (
            lint.body["issues"][0]["line"].clone(),
            lint.body["issues"][0]["column"].clone(),
            lint.body["issues"][0]["endColumn"].clone()
        ),
        (json!(1), json!(23), json!(31))
    );
    let lint = app.core("POST", "/feature-flags/targeting/lint", t, Some(json!({"rule": "(("}))).await;
    assert_eq!((lint.status, &lint.body["valid"]), (200, &json!(false)));
    assert_eq!(app.core("POST", "/feature-flags/targeting/lint", t, Some(json!({}))).await.status, 422);

    let trial = app.core("POST", "/feature-flags/targeting/test", t, Some(json!({
        "rule": format!("__kaiten.license.familySlug == '{family}' && __kaiten.entitlements.seats.remaining == 10.0 && tier == 'gold'"),
        "targetingKey": customer, "context": {"tier": "gold", "__kaiten": {"license": {"familySlug": "forged"}}}
    }))).await;
    assert_eq!(trial.status, 200, "{}", trial.text);
    assert_eq!(
        (trial.body["valid"].clone(), trial.body["matched"].clone()),
        (json!(true), json!(true)),
        "{}",
        trial.text
    );
    assert_eq!(trial.body["facts"]["license"]["familySlug"], json!(family));
    assert_eq!(trial.body["facts"]["entitlements"]["seats"]["limit"], 10.0);
    assert!(trial.body.get("evaluationError").is_none());

    let missing = app
        .core(
            "POST",
            "/feature-flags/targeting/test",
            t,
            Some(json!({"rule": "tier == 'gold'", "targetingKey": "nobody"})),
        )
        .await;
    assert_eq!((missing.body["matched"].clone(), missing.body["facts"].clone()), (json!(false), json!({})));
    assert!(missing.body["evaluationError"].as_str().unwrap().contains("tier"), "{}", missing.text);
}

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

#[tokio::test]
async fn rules_read_what_the_customer_bought_and_its_instance() {
    let app = spawn_app().await;
    let org = app.org("org_ofrep_facts").await;
    let (customer, family) = customer_with_seats(&app, &org).await;
    create(&app, &org, boolean_flag("growth", json!([
        {"type": "basic", "name": "plan-with-seats", "variant": "on",
         "rule": format!("__kaiten.license.familySlug == '{family}' && __kaiten.entitlements['seats'].remaining > 0")}
    ]))).await;
    create(
        &app,
        &org,
        boolean_flag(
            "prod-only",
            json!([
                {"type": "basic", "name": "prod", "variant": "on",
                 "rule": "__kaiten.instance.slug == 'prod' && __kaiten.customer.slug == '".to_owned() + &customer + "'"}
            ]),
        ),
    )
    .await;
    let on = evaluate(&app, &org.token, "growth", json!({"targetingKey": customer})).await.body;
    assert_eq!((on["value"].clone(), on["reason"].clone()), (json!(true), json!("TARGETING_MATCH")), "{on}");
    // Forged facts are discarded; an unknown customer has none, so the rule is broken.
    let forged = evaluate(
        &app,
        &org.token,
        "growth",
        json!({"targetingKey": "stranger",
        "__kaiten": {"license": {"familySlug": family}, "entitlements": {"seats": {"remaining": 5}}}}),
    )
    .await
    .body;
    assert_eq!((forged["value"].clone(), forged["reason"].clone()), (json!(false), json!("DEFAULT")));
    assert_eq!(forged["metadata"]["kaiten.brokenTargetingRules"].as_array().unwrap().len(), 1);

    // Using up the seats turns it off once the facts' TTL has passed.
    let used = app
        .core(
            "POST",
            "/instances/prod/entitlements/seats/usage",
            Some(&org.token),
            Some(json!({"value": {"type": "number", "value": 10}})),
        )
        .await;
    assert!(used.status < 300, "{}", used.text);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let off = evaluate(&app, &org.token, "growth", json!({"targetingKey": customer})).await.body;
    assert_eq!((off["value"].clone(), off["reason"].clone()), (json!(false), json!("DEFAULT")), "{off}");

    let instance =
        evaluate(&app, &org.token, "prod-only", json!({"targetingKey": "anyone", "kaiten": {"instanceSlug": "prod"}}))
            .await
            .body;
    assert_eq!(instance["value"], true, "{instance}");
    let elsewhere = evaluate(
        &app,
        &org.token,
        "prod-only",
        json!({"targetingKey": "anyone", "kaiten": {"instanceId": "not-a-uuid"}}),
    )
    .await
    .body;
    assert_eq!(elsewhere["value"], false);
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
async fn another_organizations_flags_do_not_exist() {
    let app = spawn_app().await;
    let mine = app.org("org_flags_mine").await;
    let theirs = app.org("org_flags_theirs").await;
    create(&app, &theirs, boolean_flag("secret", json!(null))).await;
    let t = Some(mine.token.as_str());
    assert_eq!(app.core("GET", "/feature-flags/secret", t, None).await.code(), "GetFeatureFlag.NotFound");
    assert_eq!(
        app.core("PUT", "/feature-flags/secret", t, Some(boolean_flag("secret", json!(null)))).await.code(),
        "UpdateFeatureFlag.NotFound"
    );
    assert_eq!(app.core("DELETE", "/feature-flags/secret", t, None).await.code(), "DeleteFeatureFlag.NotFound");
    assert_eq!(app.core("GET", "/feature-flags", t, None).await.body["items"], json!([]));
    assert_eq!(
        evaluate(&app, &mine.token, "secret", json!({"targetingKey": "k"})).await.body["errorCode"],
        "FLAG_NOT_FOUND"
    );
    let bulk = app.core("POST", "/ofrep/v1/evaluate/flags", t, Some(json!({}))).await;
    assert_eq!(bulk.body, json!({"flags": []}));
    // Their facts are not ours either: a customer slug of theirs resolves nothing for us.
    instance_with(&app, &theirs, "prod", &[]).await;
    let trial = app.core("POST", "/feature-flags/targeting/test", t,
        Some(json!({"rule": "true", "targetingKey": "customer-prod", "context": {"kaiten": {"instanceSlug": "prod"}}}))).await;
    assert_eq!(trial.body["facts"], json!({}));
}

#[tokio::test]
async fn the_manifest_lists_flags_with_a_fallback() {
    let app = spawn_app().await;
    let org = app.org("org_manifest").await;
    let mut with = boolean_flag("with", json!(null));
    with["metadata"] = json!({"fallback_value": true});
    create(&app, &org, with).await;
    create(&app, &org, boolean_flag("without", json!(null))).await;
    for (slug, fallback) in [("whole", json!(3)), ("fraction", json!(2.5))] {
        create(&app, &org, json!({"slug": slug, "name": slug, "description": "n", "type": "number", "enabled": true,
            "event_name": "e", "metadata": {"fallback_value": fallback}, "targetings": null,
            "variants": [{"name": "v", "description": "", "value": 1}], "default_variant": {"type": "basic", "value": "v"}})).await;
    }
    let reply = app.core("GET", "/openfeature/v0/manifest", Some(&org.token), None).await;
    assert_eq!(reply.headers.get("x-manifest-capabilities").unwrap(), "read");
    let mut flags = reply.body["flags"].as_array().unwrap().clone();
    flags.sort_by_key(|f| f["key"].as_str().unwrap().to_owned());
    assert_eq!(
        flags,
        vec![
            json!({"key": "fraction", "name": "fraction", "type": "float", "description": "n", "defaultValue": 2.5}),
            json!({"key": "whole", "name": "whole", "type": "integer", "description": "n", "defaultValue": 3}),
            json!({"key": "with", "name": "Flag with", "type": "boolean", "defaultValue": true}),
        ]
    );
    let empty = app.org("org_manifest_empty").await;
    assert_eq!(app.core("GET", "/openfeature/v0/manifest", Some(&empty.token), None).await.body, json!({"flags": []}));
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

#[tokio::test]
async fn evaluations_are_audited_without_their_context() {
    let app = spawn_app().await;
    let org = app.org("org_flag_audit").await;
    create(
        &app,
        &org,
        boolean_flag(
            "audited",
            json!([{"type": "basic", "name": "vip", "rule": "email.endsWith('@vip.io')", "variant": "on"}]),
        ),
    )
    .await;
    let hit = evaluate(&app, &org.token, "audited", json!({"targetingKey": "u1", "email": "someone@vip.io"})).await;
    assert_eq!(hit.body["value"], true);
    let mut evaluated = Vec::new();
    for _ in 0..50 {
        evaluated = events(&app, &org.id).await.into_iter().filter(|e| e.0 == "FEATURE_FLAG_EVALUATED").collect();
        if !evaluated.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, event_type, data) = evaluated.first().expect("an audit event");
    assert_eq!(event_type, "com.kaiten.feature_flag.v1.evaluated");
    assert_eq!(data["flag_slug"], "audited");
    assert_eq!(
        (data["variant"].clone(), data["reason"].clone(), data["matched_rule_name"].clone()),
        (json!("on"), json!("TARGETING_MATCH"), json!("vip"))
    );
    assert!(!data.to_string().contains("vip.io"), "no evaluation context in the audit: {data}");
}

#[tokio::test]
async fn a_change_on_one_replica_reaches_another_replicas_cache() {
    let app = spawn_app().await;
    let org = app.org("org_flag_replicas").await;
    create(&app, &org, boolean_flag("shared", json!(null))).await;
    // A second replica on the same database, with its own caches and listener.
    let other = kaiten_api::build(app.pool.clone(), &kaiten_api::ApiConfig::default());
    kaiten_api::invalidation::spawn_listener(app.pool.clone(), other.invalidation_targets());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_url = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, other.core).await });
    let ask = |url: String| {
        let client = app.client.clone();
        let token = org.token.clone();
        async move {
            let reply: Value = client
                .post(format!("{url}/ofrep/v1/evaluate/flags/shared"))
                .bearer_auth(token)
                .json(&json!({"context": {"targetingKey": "k"}}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            reply["variant"].as_str().unwrap_or_default().to_owned()
        }
    };
    assert_eq!(ask(other_url.clone()).await, "off", "the other replica has now cached the flag");
    let mut flipped = boolean_flag("shared", json!(null));
    flipped["default_variant"] = json!({"type": "basic", "value": "on"});
    assert_eq!(app.core("PUT", "/feature-flags/shared", Some(&org.token), Some(flipped)).await.status, 204);
    let mut seen = String::new();
    for _ in 0..40 {
        seen = ask(other_url.clone()).await;
        if seen == "on" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(seen, "on", "the other replica evicted on NOTIFY");
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
