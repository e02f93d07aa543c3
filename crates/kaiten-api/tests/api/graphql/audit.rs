//! Audit trails (an instance's, through the root and through `Instance`, and the organization's),
//! license families as products, and the usage fields beside the REST ones.

use kaiten_testkit::{Org, TestApp, spawn_app};
use serde_json::{Value, json};

use super::{data, gql};
use crate::support::{instance_with, license, license_body};

const TRAIL: &str = r#"query($slug: String!, $name: String, $after: Time, $before: Time, $limit: Int, $cursor: String) {
    auditTrails(instanceSlug: $slug, eventName: $name, after: $after, before: $before, limit: $limit, cursor: $cursor) {
        items { id instanceId instanceSlug eventName eventType timestamp payload } hasMore nextCursor
    }
}"#;

const ORG_TRAIL: &str = r#"query($name: String, $after: Time, $before: Time, $limit: Int, $cursor: String) {
    organizationAuditTrails(eventName: $name, after: $after, before: $before, limit: $limit, cursor: $cursor) {
        items { id instanceId instanceSlug instanceName customerId customerSlug customerName eventName eventType
                timestamp payload }
        hasMore nextCursor
    }
}"#;

fn number(v: f64) -> Value {
    json!({"type": "number", "value": v})
}

/// The ids of the organization's events (only the instance's when one is given), newest first
/// as the database orders them.
async fn expected(app: &TestApp, org: &Org, instance_id: Option<&Value>) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT id::text FROM outbox_events
          WHERE organization_id = $1::uuid AND ($2::uuid IS NULL OR instance_id = $2::uuid)
          ORDER BY occurred_at DESC, seq DESC",
    )
    .bind(&org.id)
    .bind(instance_id.and_then(Value::as_str))
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

/// Every page of a listing, `limit` at a time, following nextCursor; checks the page shape.
async fn walk(app: &TestApp, token: &str, query: &str, field: &str, mut vars: Value, limit: i64) -> Vec<String> {
    let mut all = Vec::new();
    vars["limit"] = json!(limit);
    loop {
        let page = data(app, token, query, vars.clone()).await[field].clone();
        let got = ids(&page);
        assert!(got.len() <= usize::try_from(limit).unwrap());
        all.extend(got);
        if page["hasMore"] == json!(false) {
            assert_eq!(page["nextCursor"], Value::Null, "no cursor on the last page");
            return all;
        }
        vars["cursor"] = page["nextCursor"].clone();
    }
}

/// The timestamp of the `k`-th entry of a page, and the first and last positions holding it
/// (entries of one instant are neighbours, newest first).
fn instant_of(page: &Value, k: usize) -> (String, usize, usize) {
    let stamps: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|i| i["timestamp"].as_str().unwrap()).collect();
    let at = stamps[k];
    (at.to_owned(), stamps.iter().position(|s| *s == at).unwrap(), stamps.iter().rposition(|s| *s == at).unwrap())
}

/// An organization with instances `prod` (usage reported and read) and `stage`, answering prod.
async fn populated(app: &TestApp, org: &Org) -> Value {
    let t = Some(org.token.as_str());
    let prod = instance_with(
        app,
        org,
        "prod",
        &[(
            json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
            json!({"value": number(100.0), "limitCapExceededOveragePercent": 25}),
        )],
    )
    .await;
    let stage = app
        .core(
            "POST",
            "/instances",
            t,
            Some(json!({"name": "Stage", "slug": "stage", "description": "", "customerId": prod["customerId"],
                        "licenseId": prod["licenseId"], "startLicenseDate": "2026-01-01T00:00:00Z",
                        "endLicenseDate": "2027-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(stage.status, 201, "{}", stage.text);
    for n in 1..=4 {
        let reply = app
            .core("POST", "/instances/prod/entitlements/seats/usage", t, Some(json!({"value": number(f64::from(n))})))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    assert_eq!(app.core("GET", "/instances/prod/entitlements/seats/usage", t, None).await.status, 200);
    prod
}

#[tokio::test]
async fn an_instances_audit_trail_filters_orders_and_pages_as_rest_does() {
    let app = spawn_app().await;
    let org = app.org("org_gql_audit").await;
    let t = org.token.as_str();
    let prod = populated(&app, &org).await;

    // Everything, newest first (occurred_at, then write order), the same entries REST lists.
    let all = data(&app, t, TRAIL, json!({"slug": "prod"})).await["auditTrails"].clone();
    let want = expected(&app, &org, Some(&prod["id"])).await;
    assert!(want.len() >= 6, "created, four reports, a read: {want:?}");
    assert_eq!(ids(&all), want);
    assert_eq!((all["hasMore"].clone(), all["nextCursor"].clone()), (json!(false), Value::Null));
    let rest = app.core("GET", "/instances/prod/audit-trails", Some(t), None).await;
    assert_eq!(rest.status, 200, "{}", rest.text);
    assert_eq!(all["items"], rest.body["items"], "GraphQL and REST render the same entries");
    let first = &all["items"][0];
    assert_eq!(first["eventName"], "ENTITLEMENT_VALUE_GET", "the read was the last event");
    assert_eq!((first["instanceId"].clone(), first["instanceSlug"].clone()), (prod["id"].clone(), json!("prod")));
    assert_eq!(first["payload"]["entitlement_slug"], "seats");
    assert!(first["eventType"].as_str().unwrap().starts_with("com.kaiten."), "{first}");

    // eventName is exact.
    let accepted = data(&app, t, TRAIL, json!({"slug": "prod", "name": "ENTITLEMENT_USAGE_REPORT_ACCEPTED"})).await;
    let accepted = accepted["auditTrails"]["items"].as_array().unwrap().clone();
    assert_eq!(accepted.len(), 4);
    assert!(accepted.iter().all(|i| i["eventName"] == "ENTITLEMENT_USAGE_REPORT_ACCEPTED"));
    let none = data(&app, t, TRAIL, json!({"slug": "prod", "name": "ENTITLEMENT_USAGE"})).await;
    assert_eq!(none["auditTrails"]["items"], json!([]));

    // after and before are both inclusive: an entry's own timestamp keeps it on either side.
    let (at, first_same, last_same) = instant_of(&all, want.len() / 2);
    let since = data(&app, t, TRAIL, json!({"slug": "prod", "after": at})).await;
    assert_eq!(ids(&since["auditTrails"]), want[..=last_same].to_vec(), "after {at} keeps the entries at {at}");
    let until = data(&app, t, TRAIL, json!({"slug": "prod", "before": at})).await;
    assert_eq!(ids(&until["auditTrails"]), want[first_same..].to_vec(), "before {at} keeps the entries at {at}");
    let exactly = data(&app, t, TRAIL, json!({"slug": "prod", "after": at, "before": at})).await;
    assert_eq!(ids(&exactly["auditTrails"]), want[first_same..=last_same].to_vec());
    let future = data(&app, t, TRAIL, json!({"slug": "prod", "after": "2100-01-01T00:00:00Z"})).await;
    assert_eq!(future["auditTrails"]["items"], json!([]));

    // Pages: no entry twice, none lost, in order; a REST cursor is a GraphQL one.
    assert_eq!(walk(&app, t, TRAIL, "auditTrails", json!({"slug": "prod"}), 2).await, want);
    let named = json!({"slug": "prod", "name": "ENTITLEMENT_USAGE_REPORT_ACCEPTED"});
    assert_eq!(walk(&app, t, TRAIL, "auditTrails", named, 3).await.len(), 4);
    let rest_page = app.core("GET", "/instances/prod/audit-trails?limit=2", Some(t), None).await.body;
    let next = data(&app, t, TRAIL, json!({"slug": "prod", "limit": 200, "cursor": rest_page["nextCursor"]})).await;
    assert_eq!(ids(&next["auditTrails"]), want[2..].to_vec());

    // Limits and errors, in GraphQL's shape.
    let page = data(&app, t, TRAIL, json!({"slug": "prod", "limit": 200})).await;
    assert_eq!(ids(&page["auditTrails"]), want);
    let too_many = gql(&app, t, TRAIL, json!({"slug": "prod", "limit": 201})).await;
    assert_eq!(too_many.body["errors"][0]["extensions"]["status"], 422, "{}", too_many.text);
    let unknown = gql(&app, t, TRAIL, json!({"slug": "nope"})).await;
    assert_eq!(unknown.body["errors"][0]["extensions"]["code"], "GetAuditTrails.InstanceNotFound", "{}", unknown.text);
    let bad_cursor = gql(&app, t, TRAIL, json!({"slug": "prod", "cursor": "x"})).await;
    assert_eq!(bad_cursor.body["errors"][0]["extensions"]["code"], "Pagination.InvalidCursor", "{}", bad_cursor.text);
    let bad_time = gql(&app, t, TRAIL, json!({"slug": "prod", "after": "tomorrow"})).await;
    assert!(bad_time.body["errors"].is_array(), "{}", bad_time.text);
}

#[tokio::test]
async fn instance_audit_trails_read_each_instances_own_entries() {
    let app = spawn_app().await;
    let org = app.org("org_gql_audit_batch").await;
    let t = org.token.as_str();
    let prod = populated(&app, &org).await;
    let stage = app.core("GET", "/instances/stage", Some(t), None).await.body;

    let query = r#"{ instances { items { slug
        auditTrails { items { id instanceSlug } hasMore nextCursor }
        accepted: auditTrails(eventName: "ENTITLEMENT_USAGE_REPORT_ACCEPTED", limit: 3) { items { id } hasMore nextCursor }
    } } }"#;
    let got = data(&app, t, query, json!({})).await;
    let by =
        |slug: &str| got["instances"]["items"].as_array().unwrap().iter().find(|i| i["slug"] == slug).unwrap().clone();
    let (p, s) = (by("prod"), by("stage"));
    assert_eq!(ids(&p["auditTrails"]), expected(&app, &org, Some(&prod["id"])).await);
    assert_eq!(ids(&s["auditTrails"]), expected(&app, &org, Some(&stage["id"])).await);
    assert_eq!(s["auditTrails"]["items"][0]["instanceSlug"], "stage");
    assert_eq!(s["auditTrails"]["items"].as_array().unwrap().len(), 1, "stage was only created");
    assert_eq!((p["accepted"]["items"].as_array().unwrap().len(), p["accepted"]["hasMore"].clone()), (3, json!(true)));
    assert_eq!((s["accepted"]["items"].clone(), s["accepted"]["hasMore"].clone()), (json!([]), json!(false)));

    // The field's page continues where the root query's would.
    let root = data(&app, t, TRAIL, json!({"slug": "prod", "name": "ENTITLEMENT_USAGE_REPORT_ACCEPTED", "limit": 3}))
        .await["auditTrails"]
        .clone();
    assert_eq!(ids(&root), ids(&p["accepted"]));
    assert_eq!(root["nextCursor"], p["accepted"]["nextCursor"]);
    let nested = r#"query($cursor: String) { instance(slug: "prod") {
        auditTrails(eventName: "ENTITLEMENT_USAGE_REPORT_ACCEPTED", limit: 3, cursor: $cursor) { items { id } hasMore }
    } }"#;
    let rest = data(&app, t, nested, json!({"cursor": root["nextCursor"]})).await;
    assert_eq!(rest["instance"]["auditTrails"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["instance"]["auditTrails"]["hasMore"], false);
}

#[tokio::test]
async fn the_organizations_audit_trail_has_every_event_with_its_context() {
    let app = spawn_app().await;
    let org = app.org("org_gql_audit_org").await;
    let t = org.token.as_str();
    let prod = populated(&app, &org).await;

    let all = data(&app, t, ORG_TRAIL, json!({})).await["organizationAuditTrails"].clone();
    let want = expected(&app, &org, None).await;
    assert!(want.len() < 200, "the default limit (200) holds them all");
    assert_eq!(ids(&all), want, "every event of the organization, newest first");
    assert_eq!(all["hasMore"], false);
    let items = all["items"].as_array().unwrap();

    // An organization-level event carries null instance and customer fields.
    let customer = items.iter().find(|i| i["eventName"] == "CUSTOMER_CREATED").expect("CUSTOMER_CREATED is listed");
    for field in ["instanceId", "instanceSlug", "instanceName", "customerId", "customerSlug", "customerName"] {
        assert_eq!(customer[field], Value::Null, "{field}");
    }
    assert!(customer["payload"].is_object());
    // An instance's event carries the instance and its customer.
    let read = &items[0];
    assert_eq!(read["eventName"], "ENTITLEMENT_VALUE_GET");
    assert_eq!(
        [&read["instanceId"], &read["instanceSlug"], &read["instanceName"], &read["customerId"], &read["customerSlug"]],
        [&prod["id"], &json!("prod"), &json!("prod"), &prod["customerId"], &prod["customerSlug"]]
    );
    assert_eq!(read["customerName"], "Customer prod");
    let stage = items.iter().find(|i| i["eventName"] == "INSTANCE_CREATED" && i["instanceSlug"] == "stage").unwrap();
    assert_eq!(
        (stage["instanceName"].clone(), stage["customerId"].clone()),
        (json!("Stage"), prod["customerId"].clone())
    );

    // Filters, inclusive bounds and pages as for an instance.
    let created = data(&app, t, ORG_TRAIL, json!({"name": "CUSTOMER_CREATED"})).await;
    assert_eq!(ids(&created["organizationAuditTrails"]), [customer["id"].as_str().unwrap()]);
    let (at, first_same, last_same) = instant_of(&all, want.len() / 2);
    let since = data(&app, t, ORG_TRAIL, json!({"after": at})).await;
    assert_eq!(ids(&since["organizationAuditTrails"]), want[..=last_same].to_vec());
    let until = data(&app, t, ORG_TRAIL, json!({"before": at})).await;
    assert_eq!(ids(&until["organizationAuditTrails"]), want[first_same..].to_vec());
    let (oldest, first_same, _) = instant_of(&all, want.len() - 1);
    let exactly = data(&app, t, ORG_TRAIL, json!({"before": oldest, "after": oldest})).await;
    assert_eq!(ids(&exactly["organizationAuditTrails"]), want[first_same..].to_vec());
    assert_eq!(walk(&app, t, ORG_TRAIL, "organizationAuditTrails", json!({}), 4).await, want);

    // Default 200, at most 1000.
    let wide = data(&app, t, ORG_TRAIL, json!({"limit": 1000})).await;
    assert_eq!(ids(&wide["organizationAuditTrails"]), want);
    let too_many = gql(&app, t, ORG_TRAIL, json!({"limit": 1001})).await;
    assert_eq!(too_many.body["errors"][0]["extensions"]["status"], 422, "{}", too_many.text);
    assert!(too_many.body["errors"][0]["message"].is_string());
}

#[tokio::test]
async fn audit_trails_stay_within_their_organization_and_need_their_scope() {
    let app = spawn_app().await;
    let (mine, theirs) = (app.org("org_gql_audit_mine").await, app.org("org_gql_audit_theirs").await);
    let my_prod = populated(&app, &mine).await;
    let their_prod = instance_with(&app, &theirs, "prod", &[]).await;
    let only = app
        .core(
            "POST",
            "/instances",
            Some(&theirs.token),
            Some(json!({"name": "Theirs", "slug": "theirs-only", "description": "", "customerId": their_prod["customerId"],
                        "licenseId": their_prod["licenseId"], "startLicenseDate": "2026-01-01T00:00:00Z",
                        "endLicenseDate": "2027-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(only.status, 201, "{}", only.text);

    // The same slug in two organizations: each reads its own.
    let mine_trail = data(&app, &mine.token, TRAIL, json!({"slug": "prod"})).await;
    assert_eq!(ids(&mine_trail["auditTrails"]), expected(&app, &mine, Some(&my_prod["id"])).await);
    let their_trail = data(&app, &theirs.token, TRAIL, json!({"slug": "prod"})).await;
    assert_eq!(ids(&their_trail["auditTrails"]), expected(&app, &theirs, Some(&their_prod["id"])).await);
    let foreign = gql(&app, &mine.token, TRAIL, json!({"slug": "theirs-only"})).await;
    assert_eq!(foreign.body["errors"][0]["extensions"]["code"], "GetAuditTrails.InstanceNotFound");
    let mine_all = data(&app, &mine.token, ORG_TRAIL, json!({"limit": 1000})).await;
    let their_all = data(&app, &theirs.token, ORG_TRAIL, json!({"limit": 1000})).await;
    let (a, b) = (ids(&mine_all["organizationAuditTrails"]), ids(&their_all["organizationAuditTrails"]));
    assert_eq!(a, expected(&app, &mine, None).await);
    assert_eq!(b, expected(&app, &theirs, None).await);
    assert!(a.iter().all(|id| !b.contains(id)), "no event in both");

    // organizationAuditTrails needs read:organizations; an instance's trail read:instances.
    let instances_only = app.mint(&mine.id, Some(&["read:instances"])).await;
    let refused = gql(&app, &instances_only, ORG_TRAIL, json!({})).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.MissingScope"), "{}", refused.text);
    assert_eq!(refused.body["detail"], "missing required scope: read:organizations");
    let nested = "{ instances { items { auditTrails { items { id } } } } }";
    assert_eq!(data(&app, &instances_only, nested, json!({})).await["instances"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(gql(&app, &instances_only, TRAIL, json!({"slug": "prod"})).await.status, 200);
    let organizations_only = app.mint(&mine.id, Some(&["read:organizations"])).await;
    let allowed = data(&app, &organizations_only, ORG_TRAIL, json!({})).await;
    assert_eq!(ids(&allowed["organizationAuditTrails"]), expected(&app, &mine, None).await, "minting wrote events");
    let refused = gql(&app, &organizations_only, TRAIL, json!({"slug": "prod"})).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.MissingScope"));
}

const FAMILY: &str = r#"query($slug: String!) { licenseFamily(slug: $slug) {
    id slug isPublic versionCount
    currentVersion { slug version lifecycleState family { id slug } }
    versions { slug version lifecycleState }
} }"#;

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test]
async fn a_license_family_resolves_to_its_current_version_with_its_history() {
    let app = spawn_app().await;
    let (org, other) = (app.org("org_gql_family").await, app.org("org_gql_family_other").await);
    let t = org.token.as_str();
    let v1 = license(&app, &org, with(license_body("Pro"), "slug", json!("pro"))).await;
    license(
        &app,
        &org,
        with(with(license_body("Pro 2"), "familySlug", json!("pro")), "lifecycleState", json!("DRAFT")),
    )
    .await;
    license(&app, &org, with(license_body("Pro 3"), "familySlug", json!("pro"))).await;
    license(&app, &org, with(with(license_body("Team"), "slug", json!("team")), "lifecycleState", json!("DRAFT")))
        .await;

    let pro = data(&app, t, FAMILY, json!({"slug": "pro"})).await["licenseFamily"].clone();
    assert_eq!(
        (pro["id"].clone(), pro["slug"].clone(), pro["isPublic"].clone()),
        (v1["familyId"].clone(), json!("pro"), json!(false))
    );
    assert_eq!(pro["currentVersion"]["slug"], "pro-v3", "no default: the highest-numbered PUBLISHED version");
    assert_eq!(pro["currentVersion"]["family"], json!({"id": v1["familyId"], "slug": "pro"}));
    assert_eq!(pro["versionCount"], 3);
    assert_eq!(
        pro["versions"],
        json!([
            {"slug": "pro", "version": "1", "lifecycleState": "PUBLISHED"},
            {"slug": "pro-v2", "version": "2", "lifecycleState": "DRAFT"},
            {"slug": "pro-v3", "version": "3", "lifecycleState": "PUBLISHED"},
        ]),
        "every version, oldest first"
    );
    let rest = app.core("GET", "/license-families/pro", Some(t), None).await.body;
    assert_eq!((rest["currentVersion"]["slug"].clone(), rest["versionCount"].clone()), (json!("pro-v3"), json!(3)));

    // The default is served ahead of a newer version.
    let mut first = app.core("GET", "/licenses/pro", Some(t), None).await.body;
    first["isDefault"] = json!(true);
    assert_eq!(app.core("PUT", "/licenses/pro", Some(t), Some(first)).await.status, 204);
    let pro = data(&app, t, FAMILY, json!({"slug": "pro"})).await;
    assert_eq!(pro["licenseFamily"]["currentVersion"]["slug"], "pro");

    // Nothing published resolves with a null current version; no family is null.
    let team = data(&app, t, FAMILY, json!({"slug": "team"})).await["licenseFamily"].clone();
    assert_eq!((team["currentVersion"].clone(), team["versionCount"].clone()), (Value::Null, json!(1)));
    assert_eq!(team["versions"], json!([{"slug": "team", "version": "1", "lifecycleState": "DRAFT"}]));
    assert_eq!(data(&app, t, FAMILY, json!({"slug": "nope"})).await["licenseFamily"], Value::Null);
    assert_eq!(data(&app, &other.token, FAMILY, json!({"slug": "pro"})).await["licenseFamily"], Value::Null);

    // read:licenses is its scope.
    let instances_only = app.mint(&org.id, Some(&["read:instances"])).await;
    let refused = gql(&app, &instances_only, FAMILY, json!({"slug": "pro"})).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.MissingScope"));
}

#[tokio::test]
async fn usage_shows_the_grants_overage_beside_the_rest_fields() {
    let app = spawn_app().await;
    let org = app.org("org_gql_usage_overage").await;
    let t = org.token.as_str();
    instance_with(
        &app,
        &org,
        "prod",
        &[
            (
                json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
                json!({"value": number(10.0), "limitCapExceededOveragePercent": 25}),
            ),
            (
                json!({"name": "Hard", "slug": "hard", "description": null, "type": "NUMBER"}),
                json!({"value": number(5.0)}),
            ),
            (
                json!({"name": "Calls", "slug": "calls", "description": null, "type": "NUMBER"}),
                json!({"value": number(-1.0)}),
            ),
            (
                json!({"name": "SSO", "slug": "sso", "description": null, "type": "BOOLEAN"}),
                json!({"value": {"type": "boolean", "value": true}}),
            ),
        ],
    )
    .await;
    let query = r#"{ instance(slug: "prod") { entitlementUsage {
        entitlementSlug limitCapExceededOveragePercent provenance source value limit
    } } }"#;
    let got = data(&app, t, query, json!({})).await;
    let usage = got["instance"]["entitlementUsage"].as_array().unwrap();
    let by = |slug: &str| usage.iter().find(|u| u["entitlementSlug"] == slug).unwrap().clone();
    assert_eq!(by("seats")["limitCapExceededOveragePercent"], 25);
    assert_eq!(by("hard")["limitCapExceededOveragePercent"], 0, "a hard limit by default");
    assert_eq!(by("calls")["limitCapExceededOveragePercent"], -1, "unlimited");
    assert_eq!(by("sso")["limitCapExceededOveragePercent"], Value::Null, "BOOLEAN has no overage");
    assert!(usage.iter().all(|u| u["provenance"].is_null() && u["source"] == "license"));
    assert_eq!(by("seats")["limit"], json!({"type": "number", "value": 10}));

    // The REST rendering is unchanged.
    let rest = app.core("GET", "/instances/prod/entitlements/usage", Some(t), None).await;
    assert_eq!(rest.status, 200, "{}", rest.text);
    for row in rest.body.as_array().unwrap() {
        assert!(row.get("limitCapExceededOveragePercent").is_none() && row.get("provenance").is_none(), "{row}");
    }
    assert_eq!(rest.body.as_array().unwrap().len(), 4);
}
