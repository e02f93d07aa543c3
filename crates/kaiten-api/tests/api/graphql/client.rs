//! The official JavaScript client's two operations, sent byte for byte: they validate and
//! return every field the client reads, with the values REST returns.

use kaiten_testkit::spawn_app;
use serde_json::{Value, json};

use super::data;
use crate::support::instance_with;

fn operation(name: &str) -> String {
    let path = format!("{}/tests/graphql/{name}.graphql", env!("CARGO_MANIFEST_DIR"));
    let ours = std::fs::read_to_string(path).unwrap();
    let reference =
        format!("{}/../../../shared/contract/graphql/client-operations/{name}.graphql", env!("CARGO_MANIFEST_DIR"));
    if let Ok(theirs) = std::fs::read_to_string(reference) {
        assert_eq!(ours, theirs, "the vendored {name} differs from the contract's");
    }
    ours
}

#[tokio::test]
async fn licensing_snapshot_and_catalog_return_what_the_client_reads() {
    let app = spawn_app().await;
    let org = app.org("org_gql_client").await;
    let t = org.token.as_str();
    let seats = (
        json!({"name": "Seats", "slug": "seats", "description": "people", "type": "NUMBER", "resetPeriod": "MONTH"}),
        json!({"value": {"type": "number", "value": 10}}),
    );
    let sso = (
        json!({"name": "SSO", "slug": "sso", "description": null, "type": "BOOLEAN"}),
        json!({"value": {"type": "boolean", "value": true}}),
    );
    let instance = instance_with(&app, &org, "acme-prod", &[seats, sso]).await;
    let group = app
        .core(
            "POST",
            "/entitlement-groups",
            Some(t),
            Some(json!({"name": "Security", "slug": "security", "description": null})),
        )
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let member = app
        .core("POST", "/entitlement-groups/security/entitlements", Some(t), Some(json!({"entitlementSlug": "sso"})))
        .await;
    assert!(member.status < 300, "{}", member.text);
    let report = app
        .core(
            "POST",
            "/instances/acme-prod/entitlements/seats/usage",
            Some(t),
            Some(json!({"value": {"type": "number", "value": 3}, "transactionId": "t-1"})),
        )
        .await;
    assert!(report.status < 300, "{}", report.text);

    let customer_id = instance["customerId"].as_str().unwrap();
    let snapshot = data(&app, t, &operation("LicensingSnapshot"), json!({"customerId": customer_id})).await;
    let rest_customer =
        app.core("GET", &format!("/customers/{}", instance["customerSlug"].as_str().unwrap()), Some(t), None).await;
    let customer = &snapshot["customer"];
    for field in ["id", "slug", "name", "createdAt", "updatedAt"] {
        assert_eq!(customer[field], rest_customer.body[field], "{field}");
    }
    assert_eq!(customer["externalCustomerId"], Value::Null);
    assert_eq!(customer["createdBy"]["id"], rest_customer.body["createdBy"]["id"]);
    let instances = customer["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 1);
    let rest_instance = app.core("GET", "/instances/acme-prod", Some(t), None).await.body;
    for field in [
        "id",
        "slug",
        "name",
        "description",
        "customerId",
        "customerSlug",
        "licenseId",
        "licenseSlug",
        "startLicenseDate",
        "endLicenseDate",
        "metadata",
    ] {
        assert_eq!(instances[0][field], rest_instance[field], "{field}");
    }
    assert_eq!(instances[0]["deploymentZoneId"], Value::Null);
    let usage = instances[0]["entitlementUsage"].as_array().unwrap();
    let rest_usage = app.core("GET", "/instances/acme-prod/entitlements/usage", Some(t), None).await.body;
    assert_eq!(usage.len(), 2);
    for row in usage {
        let rest =
            rest_usage.as_array().unwrap().iter().find(|r| r["entitlementSlug"] == row["entitlementSlug"]).unwrap();
        for field in ["entitlementId", "licenseId", "licenseSlug", "value", "limit"] {
            assert_eq!(row[field], rest[field], "{field}");
        }
        // Both bounds exactly when a reset period is configured (the client reads that).
        let periodic = row["entitlementSlug"] == "seats";
        assert_eq!(row["currentPeriodStart"].is_string(), periodic);
        assert_eq!(row["currentPeriodEnd"].is_string(), periodic);
    }
    let seats_usage = usage.iter().find(|r| r["entitlementSlug"] == "seats").unwrap();
    assert_eq!(seats_usage["value"]["value"].as_f64(), Some(3.0));

    let licenses = &snapshot["licenses"];
    assert_eq!(licenses["hasMore"], json!(false));
    assert_eq!(licenses["nextCursor"], Value::Null);
    let plan = &licenses["items"][0];
    assert_eq!(plan["slug"], instance["licenseSlug"]);
    let rest_plan =
        app.core("GET", &format!("/licenses/{}", instance["licenseSlug"].as_str().unwrap()), Some(t), None).await;
    assert_eq!(plan["lifecycleState"], rest_plan.body["lifecycleState"]);
    assert_eq!(plan["version"], rest_plan.body["version"]);
    assert!(plan["family"]["id"].is_string());
    let grants = plan["entitlements"].as_array().unwrap();
    assert_eq!(grants.len(), 2);
    let seats_grant = grants.iter().find(|g| g["entitlementSlug"] == "seats").unwrap();
    assert_eq!(seats_grant["value"], json!({"type": "number", "value": 10}));
    assert_eq!(seats_grant["unlimited"], json!(false));
    assert_eq!(seats_grant["entitlementType"], "NUMBER");
    assert_eq!(seats_grant["entitlement"]["description"], "people");
    let sso_grant = grants.iter().find(|g| g["entitlementSlug"] == "sso").unwrap();
    assert_eq!(sso_grant["limitCapExceededOveragePercent"], Value::Null);
    assert_eq!(
        sso_grant["entitlement"]["entitlementGroups"],
        json!([{"id": group.body["id"], "name": "Security", "slug": "security"}])
    );
    assert_eq!(sso_grant["entitlement"]["userFacing"], json!(false));

    // The client's retry by slug, and an unknown customer: null, not an error.
    let by_slug =
        data(&app, t, &operation("LicensingSnapshot"), json!({"customerSlug": instance["customerSlug"]})).await;
    assert_eq!(by_slug["customer"]["id"], json!(customer_id));
    let unknown = data(&app, t, &operation("LicensingSnapshot"), json!({"customerId": uuid::Uuid::new_v4()})).await;
    assert_eq!(unknown["customer"], Value::Null);

    // The catalog pages with the cursor the client follows.
    let catalog = data(&app, t, &operation("LicensingCatalog"), json!({})).await;
    assert_eq!(catalog["licenses"], snapshot["licenses"]);
}

#[tokio::test]
async fn the_catalog_pages_until_has_more_is_false() {
    let app = spawn_app().await;
    let org = app.org("org_gql_catalog").await;
    let t = org.token.as_str();
    for n in 0..3 {
        let body = json!({"name": format!("Plan {n}"), "description": "d", "type": "PAID", "isDefault": false});
        assert_eq!(app.core("POST", "/licenses", Some(t), Some(body)).await.status, 201);
    }
    let query = "query($cursor: String) { licenses(limit: 2, cursor: $cursor) { items { slug } hasMore nextCursor } }";
    let first = data(&app, t, query, json!({})).await;
    assert_eq!(first["licenses"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["licenses"]["hasMore"], json!(true));
    let cursor = first["licenses"]["nextCursor"].as_str().unwrap();
    let second = data(&app, t, query, json!({"cursor": cursor})).await;
    assert_eq!(second["licenses"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        (second["licenses"]["hasMore"].clone(), second["licenses"]["nextCursor"].clone()),
        (json!(false), Value::Null)
    );
    let mut slugs: Vec<Value> = first["licenses"]["items"].as_array().unwrap().clone();
    slugs.extend(second["licenses"]["items"].as_array().unwrap().iter().cloned());
    let rest = app.core("GET", "/licenses?limit=10", Some(t), None).await.body;
    let rest_slugs: Vec<Value> = rest["items"].as_array().unwrap().iter().map(|l| json!({"slug": l["slug"]})).collect();
    assert_eq!(slugs, rest_slugs, "the same order as REST");
}
