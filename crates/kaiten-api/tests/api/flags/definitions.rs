//! Flag definitions over HTTP: CRUD with its events, validation with the original's messages,
//! the rule tools and the manifest.

use super::{boolean_flag, create, customer_with_seats};
use crate::support::events;
use kaiten_testkit::spawn_app;
use serde_json::{Value, json};

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
