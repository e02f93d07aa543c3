//! Feature flags over HTTP: CRUD and its validation, the rule tools, OFREP single and bulk
//! (facts, ETag), the manifest, isolation, the evaluation audit and cross-replica invalidation.

mod definitions;
mod ofrep;
mod runtime;
mod targeting;

use kaiten_testkit::{Org, TestApp};
use serde_json::{Value, json};

use crate::support::instance_with;

pub fn boolean_flag(slug: &str, targetings: Value) -> Value {
    json!({
        "slug": slug, "name": format!("Flag {slug}"), "description": null, "type": "boolean", "enabled": true,
        "event_name": "flag_evaluated", "metadata": {"owner": "growth"},
        "variants": [{"name": "on", "description": "enabled", "value": true},
                     {"name": "off", "description": "disabled", "value": false}],
        "default_variant": {"type": "basic", "value": "off"},
        "targetings": targetings
    })
}

pub async fn create(app: &TestApp, org: &Org, body: Value) -> Value {
    let reply = app.core("POST", "/feature-flags", Some(&org.token), Some(body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

pub async fn evaluate(app: &TestApp, token: &str, key: &str, context: Value) -> kaiten_testkit::Reply {
    app.core("POST", &format!("/ofrep/v1/evaluate/flags/{key}"), Some(token), Some(json!({"context": context}))).await
}

/// An instance `prod` of a customer on a license granting 10 `seats`; answers the customer's
/// slug and the license family's.
pub async fn customer_with_seats(app: &TestApp, org: &Org) -> (String, String) {
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
