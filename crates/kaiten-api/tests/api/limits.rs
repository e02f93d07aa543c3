//! Free text is bounded (`http/text_limits.rs`): past a limit the answer is a 422 located at
//! the field and nothing is written; at the limit the value is stored whole.

use serde_json::{Map, Value, json};

use kaiten_testkit::{Reply, spawn_app};

use crate::support::{license, license_body};

fn locations(reply: &Reply) -> Vec<String> {
    reply.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["location"].as_str())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn text_past_its_limit_is_a_422_and_is_not_stored() {
    let app = spawn_app().await;
    let org = app.org("org_limits").await;
    let t = Some(org.token.as_str());
    let huge = "n".repeat(100_000);
    for (path, body, location) in [
        ("/customers", json!({"name": huge}), "body.name"),
        ("/customers", json!({"name": "ok", "externalCustomerId": "e".repeat(256)}), "body.externalCustomerId"),
        ("/deployment-zones", json!({"name": "eu", "description": "d".repeat(2001)}), "body.description"),
        ("/deployment-zones", json!({"name": "eu", "type": "t".repeat(101)}), "body.type"),
        ("/components", json!({"name": "api", "version": "1", "description": "d".repeat(501)}), "body.description"),
    ] {
        let reply = app.core("POST", path, t, Some(body)).await;
        assert_eq!((reply.status, reply.code()), (422, "UNPROCESSABLE"), "{path}: {}", reply.text);
        assert!(locations(&reply).iter().any(|l| l == location), "{path}: {:?}", locations(&reply));
    }
    let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customer").fetch_one(&app.pool).await.unwrap();
    let zones: i64 = sqlx::query_scalar("SELECT count(*) FROM deployment_zone").fetch_one(&app.pool).await.unwrap();
    assert_eq!((customers, zones), (0, 0), "nothing half-written");

    let at_limit = "é".repeat(255);
    let reply = app.core("POST", "/customers", t, Some(json!({"name": at_limit}))).await;
    assert_eq!(reply.status, 201, "255 characters (510 bytes) is within the limit: {}", reply.text);
    assert_eq!(reply.body["name"], json!(at_limit));
}

#[tokio::test]
async fn metadata_bounds_its_keys_and_string_values() {
    let app = spawn_app().await;
    let org = app.org("org_metadata_limits").await;
    let t = Some(org.token.as_str());
    let plan = license(&app, &org, license_body("Pro")).await;
    let customer = app.core("POST", "/customers", t, Some(json!({"name": "Acme"}))).await.body;
    let instance = |metadata: Value| {
        json!({"name": "Prod", "description": "d", "customerId": customer["id"], "licenseId": plan["id"],
               "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
               "metadata": metadata})
    };
    let many: Map<String, Value> = (0..101).map(|i| (format!("k{i}"), json!(i))).collect();
    for (metadata, location) in [
        (Value::Object(many), "body.metadata".to_owned()),
        (json!({"k".repeat(256): 1}), format!("body.metadata.{}", "k".repeat(256))),
        (json!({"notes": "x".repeat(10_001)}), "body.metadata.notes".to_owned()),
    ] {
        let reply = app.core("POST", "/instances", t, Some(instance(metadata))).await;
        assert_eq!((reply.status, reply.code()), (422, "UNPROCESSABLE"), "{}", reply.text);
        assert!(locations(&reply).contains(&location), "{location}: {:?}", locations(&reply));
    }
    let within = json!({"notes": "x".repeat(10_000), "nested": {"any": [1, true, null]}, "count": 3});
    let reply = app.core("POST", "/instances", t, Some(instance(within.clone()))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["metadata"], within);
}

/// Found by schemathesis: jsonb writes a large number out in full (309 digits for f64::MAX),
/// and reading that back failed, a 500 on the write that stored it and on every read after.
#[tokio::test]
async fn numbers_at_the_edge_of_a_double_survive_the_database() {
    let app = spawn_app().await;
    let org = app.org("org_huge_numbers").await;
    let t = Some(org.token.as_str());
    let plan = license(&app, &org, license_body("Pro")).await;
    crate::support::entitlement(
        &app,
        &org,
        json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
    )
    .await;
    let path = format!("/licenses/{}/entitlements", plan["slug"].as_str().unwrap());
    let body = json!({"entitlementSlug": "seats", "value": {"type": "number", "value": f64::MAX}});
    let reply = app.core("POST", &path, t, Some(body)).await;
    assert!(reply.status < 300, "{}", reply.text);
    let zone = json!({"name": "eu", "slug": "eu", "type": "k8s", "description": "d", "metadata": {"big": -f64::MAX}});
    let created = app.core("POST", "/deployment-zones", t, Some(zone)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let read = app.core("GET", "/deployment-zones/eu", t, None).await;
    assert_eq!(read.body["metadata"]["big"].as_f64(), Some(-f64::MAX), "{}", read.text);
    let listed = app.core("GET", &path, t, None).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["items"][0]["value"]["value"].as_f64(), Some(f64::MAX), "{}", listed.text);
}
