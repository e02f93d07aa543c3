//! Outgoing webhooks: the endpoints API, delivery (retries, rotation, filtering, isolation,
//! SSRF, auto-disabling) and independent verification by the official SDK.

mod clerk;
mod delivery;
mod endpoints;
mod sdk;

use kaiten_testkit::{Org, TestApp};
use serde_json::{Value, json};

/// Creates an endpoint; answers the created body (with its secret).
pub async fn endpoint(app: &TestApp, org: &Org, url: &str, event_types: &[&str]) -> Value {
    let reply = app
        .core("POST", "/webhooks/endpoints", Some(&org.token), Some(json!({"url": url, "eventTypes": event_types})))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

pub async fn customer(app: &TestApp, org: &Org, name: &str) -> Value {
    let reply = app.core("POST", "/customers", Some(&org.token), Some(json!({"name": name}))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

/// The deliveries of an endpoint, newest first.
pub async fn deliveries(app: &TestApp, org: &Org, endpoint_id: &str) -> Vec<Value> {
    let reply = app
        .core("GET", &format!("/webhooks/endpoints/{endpoint_id}/deliveries?limit=200"), Some(&org.token), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"].as_array().unwrap().clone()
}

pub async fn attempts(app: &TestApp, org: &Org, endpoint_id: &str, delivery_id: &str) -> Vec<Value> {
    let path = format!("/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/attempts");
    let reply = app.core("GET", &path, Some(&org.token), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"].as_array().unwrap().clone()
}

/// Polls the endpoint's deliveries until `done` holds; panics with `what` after `secs`.
pub async fn eventually(
    app: &TestApp,
    org: &Org,
    endpoint_id: &str,
    secs: u64,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let found = deliveries(app, org, endpoint_id).await;
        if done(&found) {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}: {found:#?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
