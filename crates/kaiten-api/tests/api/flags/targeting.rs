//! Rules that read what the customer bought and its instance, and isolation between
//! organizations.

use super::{boolean_flag, create, customer_with_seats, evaluate};
use crate::support::instance_with;
use kaiten_testkit::spawn_app;
use serde_json::json;
use std::time::Duration;

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
