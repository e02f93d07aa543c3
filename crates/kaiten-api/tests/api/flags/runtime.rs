//! The runtime around evaluation: the evaluation audit and cross-replica cache invalidation.

use super::{boolean_flag, create, evaluate};
use crate::support::events;
use kaiten_testkit::spawn_app;
use serde_json::{Value, json};
use std::time::Duration;

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
