//! Helpers the catalog tests share: reading the outbox, and building a catalog quickly.

use kaiten_testkit::{Org, TestApp};
use serde_json::{Value, json};

/// `(name, type, data)` of every outbox event of the organization, in write order.
pub async fn events(app: &TestApp, org_id: &str) -> Vec<(String, String, Value)> {
    sqlx::query_as(
        "SELECT event_name, event_type, data FROM outbox_events WHERE organization_id = $1::uuid
          ORDER BY seq",
    )
    .bind(org_id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// The names of the organization's events that start with `prefix`, in write order.
pub async fn event_names(app: &TestApp, org_id: &str, prefix: &str) -> Vec<String> {
    events(app, org_id).await.into_iter().map(|e| e.0).filter(|n| n.starts_with(prefix)).collect()
}

/// Creates an entitlement from `body` and answers its slug.
pub async fn entitlement(app: &TestApp, org: &Org, body: Value) -> String {
    let reply = app.core("POST", "/entitlements", Some(&org.token), Some(body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body["slug"].as_str().unwrap().to_owned()
}

/// Creates a license version from `body` and answers the whole resource.
pub async fn license(app: &TestApp, org: &Org, body: Value) -> Value {
    let reply = app.core("POST", "/licenses", Some(&org.token), Some(body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

/// A license body with the required fields.
pub fn license_body(name: &str) -> Value {
    json!({"name": name, "description": format!("{name} plan"), "type": "PAID", "isDefault": false})
}

/// Puts an instance on a license directly in the database (the instance API comes later); the
/// error is the database's, so the archived-version guard can be observed.
pub async fn insert_instance(app: &TestApp, org: &Org, license_slug: &str, slug: &str) -> Result<(), sqlx::Error> {
    let customer = app.core("POST", "/customers", Some(&org.token), Some(json!({"name": format!("c {slug}")}))).await;
    assert_eq!(customer.status, 201, "{}", customer.text);
    sqlx::query(
        "INSERT INTO instance (organization_id, name, slug, customer_id, license_id, created_by_id, updated_by_id)
         SELECT $1::uuid, $2, $2, $3::uuid, l.id, '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001'
           FROM license l WHERE l.organization_id = $1::uuid AND l.slug = $4",
    )
    .bind(&org.id)
    .bind(slug)
    .bind(customer.body["id"].as_str().unwrap())
    .bind(license_slug)
    .execute(&app.pool)
    .await
    .map(|_| ())
}

/// A customer, a license `plan` granting `grants` (entitlement body, grant body) and an
/// instance `slug` on it, through the API. Answers the instance.
pub async fn instance_with(app: &TestApp, org: &Org, slug: &str, grants: &[(Value, Value)]) -> Value {
    let t = Some(org.token.as_str());
    let plan = license(app, org, json!({"name": "Plan", "description": "d", "type": "PAID", "isDefault": false})).await;
    let plan_slug = plan["slug"].as_str().unwrap();
    for (entitlement_body, grant) in grants {
        let e = entitlement(app, org, entitlement_body.clone()).await;
        let mut grant = grant.clone();
        grant["entitlementSlug"] = json!(e);
        let reply = app.core("POST", &format!("/licenses/{plan_slug}/entitlements"), t, Some(grant)).await;
        assert_eq!(reply.status, 204, "{}", reply.text);
    }
    let customer = app.core("POST", "/customers", t, Some(json!({"name": format!("Customer {slug}")}))).await;
    let reply = app
        .core(
            "POST",
            "/instances",
            t,
            Some(json!({"name": slug, "slug": slug, "description": "", "customerId": customer.body["id"],
                        "licenseId": plan["id"], "startLicenseDate": "2026-01-01T00:00:00Z",
                        "endLicenseDate": "2027-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}
