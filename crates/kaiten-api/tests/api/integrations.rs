//! Integrations: the single-link operations of customers and instances, the upsert by external
//! id, and the Platform token list (only what still works).

use serde_json::{Value, json};

use kaiten_testkit::{Org, TestApp, spawn_app};

use crate::support::{event_names, instance_with, license, license_body};

const ATTIO: &str = "kaiten.integration.crm.attio";

async fn customer(app: &TestApp, org: &Org, slug: &str) -> Value {
    let reply = app.core("POST", "/customers", Some(&org.token), Some(json!({"name": slug, "slug": slug}))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

fn link(external_id: &str) -> Value {
    json!({"external_id": external_id, "metadata": {"stage": "lead"}, "web_url": "https://app.attio.com/w/acme/rec"})
}

#[tokio::test]
async fn customer_links_round_trip_and_conflict() {
    let app = spawn_app().await;
    let org = app.org("org_links_c").await;
    let t = Some(org.token.as_str());
    customer(&app, &org, "acme").await;
    customer(&app, &org, "globex").await;
    let path = format!("/customers/acme/integrations/{ATTIO}");

    let created = app.core("POST", &path, t, Some(link("rec_1"))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["external_id"], "rec_1");
    assert_eq!(created.body["metadata"], json!({"stage": "lead"}));
    assert_eq!(created.body["web_url"], "https://app.attio.com/w/acme/rec");
    assert!(created.body["synced_at"].is_string() && created.body.get("last_error").is_none());
    assert_eq!(app.core("GET", &path, t, None).await.body, created.body);

    let again = app.core("POST", &path, t, Some(link("rec_2"))).await;
    assert_eq!((again.status, again.code()), (409, "CreateCustomerIntegration.AlreadyExists"));
    let taken = app.core("POST", &format!("/customers/globex/integrations/{ATTIO}"), t, Some(link("rec_1"))).await;
    assert_eq!((taken.status, taken.code()), (409, "CreateCustomerIntegration.ExternalIDConflict"));
    let other_adapter = app.core("POST", "/customers/globex/integrations/billing.stripe", t, Some(link("rec_1"))).await;
    assert_eq!(other_adapter.status, 201, "the same record id in another adapter is another record");

    let updated = app
        .core(
            "PUT",
            &path,
            t,
            Some(json!({"external_id": " rec_9 ", "last_error": "rate limited", "synced_at": "2020-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["external_id"], "rec_9");
    assert_eq!(updated.body["last_error"], "rate limited");
    assert_eq!(updated.body["metadata"], json!({}), "PUT replaces the link");
    assert!(updated.body.get("web_url").is_none());
    assert!(updated.body["synced_at"].as_str().unwrap() >= created.body["synced_at"].as_str().unwrap());
    let shown = app.core("GET", "/customers/acme", t, None).await;
    assert_eq!(shown.body["integrations"][ATTIO]["external_id"], "rec_9");
    let stolen = app.core("PUT", "/customers/globex/integrations/billing.stripe", t, Some(link("rec_9"))).await;
    assert_eq!(stolen.status, 200, "rec_9 is taken in attio, not in stripe");
    let stolen = app.core("POST", &format!("/customers/globex/integrations/{ATTIO}"), t, Some(link("rec_9"))).await;
    assert_eq!((stolen.status, stolen.code()), (409, "CreateCustomerIntegration.ExternalIDConflict"));

    assert_eq!(app.core("DELETE", &path, t, None).await.status, 204);
    let gone = app.core("GET", &path, t, None).await;
    assert_eq!((gone.status, gone.code()), (404, "GetCustomerIntegration.NotFound"));
    let twice = app.core("DELETE", &path, t, None).await;
    assert_eq!((twice.status, twice.code()), (404, "DeleteCustomerIntegration.NotFound"));
    let missing_link = app.core("PUT", &path, t, Some(link("rec_3"))).await;
    assert_eq!((missing_link.status, missing_link.code()), (404, "UpdateCustomerIntegration.NotFound"));
    let no_customer = app.core("POST", &format!("/customers/nobody/integrations/{ATTIO}"), t, Some(link("x"))).await;
    assert_eq!((no_customer.status, no_customer.code()), (404, "CreateCustomerIntegration.CustomerNotFound"));
    assert!(app.core("GET", "/customers/acme", t, None).await.body.get("integrations").is_none());

    let blank = app.core("POST", &path, t, Some(json!({"external_id": "  "}))).await;
    assert_eq!((blank.status, blank.code()), (400, "CreateCustomerIntegration.InvalidExternalID"));
    let unknown_field = app.core("POST", &path, t, Some(json!({"external_id": "a", "color": "red"}))).await;
    assert_eq!(unknown_field.status, 422, "{}", unknown_field.text);
}

#[tokio::test]
async fn instance_links_round_trip_and_conflict() {
    let app = spawn_app().await;
    let org = app.org("org_links_i").await;
    let t = Some(org.token.as_str());
    instance_with(&app, &org, "prod", &[]).await;
    let path = format!("/instances/prod/integrations/{ATTIO}");
    let created = app.core("POST", &path, t, Some(link("ws_1"))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let again = app.core("POST", &path, t, Some(link("ws_2"))).await;
    assert_eq!((again.status, again.code()), (409, "CreateInstanceIntegration.AlreadyExists"));
    let updated = app.core("PUT", &path, t, Some(json!({"external_id": "ws_1", "last_error": "x"}))).await;
    assert_eq!((updated.status, updated.body["last_error"].as_str()), (200, Some("x")));
    let shown = app.core("GET", "/instances/prod", t, None).await;
    assert_eq!(shown.body["integrations"][ATTIO]["external_id"], "ws_1");
    assert_eq!(app.core("GET", &path, t, None).await.body, updated.body);
    assert_eq!(app.core("DELETE", &path, t, None).await.status, 204);
    assert_eq!(app.core("GET", &path, t, None).await.code(), "GetInstanceIntegration.NotFound");
    let none = app.core("GET", &format!("/instances/nope/integrations/{ATTIO}"), t, None).await;
    assert_eq!((none.status, none.code()), (404, "GetInstanceIntegration.InstanceNotFound"));
}

#[tokio::test]
async fn web_urls_must_be_absolute_http_links() {
    let app = spawn_app().await;
    let org = app.org("org_links_url").await;
    let t = Some(org.token.as_str());
    customer(&app, &org, "acme").await;
    let path = format!("/customers/acme/integrations/{ATTIO}");
    for bad in ["ftp://files.example/rec", "/w/acme/rec", "https://", "app.attio.com/rec", "https://exa mple.com/"] {
        let reply = app.core("POST", &path, t, Some(json!({"external_id": "r", "web_url": bad}))).await;
        assert_eq!((reply.status, reply.code()), (422, "CreateCustomerIntegration.InvalidWebURL"), "{bad}");
        assert_eq!(reply.content_type(), "application/problem+json");
    }
    assert_eq!(app.core("GET", &path, t, None).await.status, 404, "nothing was stored");
    let ok =
        app.core("POST", &path, t, Some(json!({"external_id": "r", "web_url": "http://crm.local:8080/r?id=1"}))).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let put = app.core("PUT", &path, t, Some(json!({"external_id": "r", "web_url": "mailto:x@y.z"}))).await;
    assert_eq!((put.status, put.code()), (422, "UpdateCustomerIntegration.InvalidWebURL"));
    let upsert = app
        .core("PATCH", "/integration/crm.attio/customer/rec_new", t, Some(json!({"name": "New", "webUrl": "nope"})))
        .await;
    assert_eq!((upsert.status, upsert.code()), (422, "UpsertIntegration.InvalidWebURL"));
    assert_eq!(app.core("GET", "/integration/crm.attio/customer/rec_new", t, None).await.status, 404);
}

#[tokio::test]
async fn concurrent_creates_of_one_link_have_one_winner() {
    let app = spawn_app().await;
    let org = app.org("org_links_race").await;
    let t = Some(org.token.as_str());
    for round in 0..5 {
        let (a, b) = (format!("a{round}"), format!("b{round}"));
        customer(&app, &org, &a).await;
        customer(&app, &org, &b).await;
        let body = link(&format!("rec_race_{round}"));
        // The same record for two customers: one link wins, the other is an external-id conflict.
        let (to_a, to_b) =
            (format!("/customers/{a}/integrations/{ATTIO}"), format!("/customers/{b}/integrations/{ATTIO}"));
        let (one, two) = tokio::join!(
            app.core("POST", &to_a, t, Some(body.clone())),
            app.core("POST", &to_b, t, Some(body.clone())),
        );
        let mut statuses = [(one.status, one.code().to_owned()), (two.status, two.code().to_owned())];
        statuses.sort();
        assert_eq!(statuses[0].0, 201, "{statuses:?}");
        assert_eq!(statuses[1], (409, "CreateCustomerIntegration.ExternalIDConflict".to_owned()));
        // The same customer and adapter twice: one wins, the other finds it linked.
        let stripe = format!("/customers/{b}/integrations/billing.stripe");
        let (one, two) = tokio::join!(
            app.core("POST", &stripe, t, Some(link(&format!("s{round}")))),
            app.core("POST", &stripe, t, Some(link(&format!("z{round}"))))
        );
        let mut statuses = [(one.status, one.code().to_owned()), (two.status, two.code().to_owned())];
        statuses.sort();
        assert_eq!(statuses[0].0, 201, "{statuses:?}");
        assert_eq!(statuses[1], (409, "CreateCustomerIntegration.AlreadyExists".to_owned()));
    }
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM customer_integration WHERE adapter = $1")
        .bind(ATTIO)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(links, 5);
}

#[tokio::test]
async fn customers_are_upserted_by_external_id() {
    let app = spawn_app().await;
    let org = app.org("org_upsert_c").await;
    let t = Some(org.token.as_str());
    let path = "/integration/crm.attio/customer/rec_42";
    let missing = app.core("GET", path, t, None).await;
    assert_eq!((missing.status, missing.code()), (404, "Integration.CustomerNotFound"));
    let nameless = app.core("PATCH", path, t, Some(json!({"domain": "acme.example"}))).await;
    assert_eq!((nameless.status, nameless.code()), (400, "UpsertIntegration.CustomerNameRequired"));

    let created = app
        .core(
            "PATCH",
            path,
            t,
            Some(json!({"name": "Acme", "domain": "acme.example", "integrationMetadata": {"owner": "ana"},
                        "webUrl": "https://app.attio.com/w/acme/company/rec_42", "error": "  "})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let slug = created.body["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("acme"), "{slug}");
    assert_eq!(
        created.body,
        json!({"name": "Acme", "slug": slug, "domain": "acme.example", "integrationMetadata": {"owner": "ana"},
               "webUrl": "https://app.attio.com/w/acme/company/rec_42"})
    );
    assert_eq!(app.core("GET", path, t, None).await.body, created.body);
    let customer = app.core("GET", &format!("/customers/{slug}"), t, None).await;
    assert_eq!(customer.body["integrations"][ATTIO]["external_id"], "rec_42", "the server adds the prefix");
    assert_eq!(app.core("GET", &format!("/integration/{ATTIO}/customer/rec_42"), t, None).await.status, 200);

    // Known: a partial update; absent fields are kept.
    let renamed = app.core("PATCH", path, t, Some(json!({"name": "Acme Corp", "error": "sync failed"}))).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["name"], "Acme Corp");
    assert_eq!(renamed.body["slug"], json!(slug));
    assert_eq!(renamed.body["domain"], "acme.example");
    assert_eq!(renamed.body["error"], "sync failed");
    assert_eq!(renamed.body["integrationMetadata"], json!({"owner": "ana"}));
    assert_eq!(renamed.body["webUrl"], "https://app.attio.com/w/acme/company/rec_42");
    let cleared = app.core("PATCH", path, t, Some(json!({"error": ""}))).await;
    assert!(cleared.body.get("error").is_none(), "{}", cleared.text);
    assert_eq!(cleared.body["name"], "Acme Corp");
    let moved = app.core("PATCH", path, t, Some(json!({"slug": "acme-corp", "integrationMetadata": {}}))).await;
    assert_eq!((moved.body["slug"].as_str(), &moved.body["integrationMetadata"]), (Some("acme-corp"), &json!({})));
    assert_eq!(app.core("GET", "/customers/acme-corp", t, None).await.body["name"], "Acme Corp");

    customer_named_taken(&app, &org).await;
    let names = event_names(&app, &org.id, "CUSTOMER").await;
    assert_eq!(names, ["CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_UPDATED", "CUSTOMER_CREATED"]);
}

/// A slug already in use is a conflict, on create and on rename.
async fn customer_named_taken(app: &TestApp, org: &Org) {
    let t = Some(org.token.as_str());
    customer(app, org, "taken").await;
    let create = app
        .core("PATCH", "/integration/crm.attio/customer/rec_7", t, Some(json!({"name": "T", "slug": "taken"})))
        .await;
    assert_eq!((create.status, create.code()), (409, "UpsertIntegration.SlugConflict"));
    let rename = app.core("PATCH", "/integration/crm.attio/customer/rec_42", t, Some(json!({"slug": "taken"}))).await;
    assert_eq!((rename.status, rename.code()), (409, "UpsertIntegration.SlugConflict"));
    let bad = app.core("PATCH", "/integration/crm.attio/customer/rec_42", t, Some(json!({"slug": "Not A Slug"}))).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
}

#[tokio::test]
async fn instances_are_upserted_by_external_id_with_their_customer_resolved_the_same_way() {
    let app = spawn_app().await;
    let org = app.org("org_upsert_i").await;
    let t = Some(org.token.as_str());
    let plan = license(&app, &org, license_body("Plan")).await;
    let other_plan = license(&app, &org, license_body("Other")).await;
    let made = app.core("PATCH", "/integration/crm.attio/customer/co_1", t, Some(json!({"name": "Acme"}))).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let made = app.core("PATCH", "/integration/crm.attio/customer/co_2", t, Some(json!({"name": "Globex"}))).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let path = "/integration/crm.attio/instance/ws_1";
    let full = json!({"name": "Prod EU", "description": "Frankfurt", "customerExternalId": "co_1",
                      "licenseId": plan["id"], "startLicenseDate": "2026-01-01T00:00:00Z",
                      "endLicenseDate": "2027-01-01T00:00:00Z", "metadata": {"region": "eu"}});

    for (field, code) in [
        ("name", "UpsertIntegration.InstanceNameRequired"),
        ("description", "UpsertIntegration.InstanceDescriptionRequired"),
        ("customerExternalId", "UpsertIntegration.CustomerExternalIDRequired"),
        ("licenseId", "UpsertIntegration.LicenseIDRequired"),
        ("startLicenseDate", "UpsertIntegration.StartLicenseDateRequired"),
        ("endLicenseDate", "UpsertIntegration.EndLicenseDateRequired"),
    ] {
        let mut body = full.clone();
        body.as_object_mut().unwrap().remove(field);
        let reply = app.core("PATCH", path, t, Some(body)).await;
        assert_eq!((reply.status, reply.code()), (400, code), "{field}");
    }
    let mut unknown = full.clone();
    unknown["customerExternalId"] = json!("co_nobody");
    let reply = app.core("PATCH", path, t, Some(unknown)).await;
    assert_eq!((reply.status, reply.code()), (404, "UpsertIntegration.CustomerNotFound"));

    let created = app.core("PATCH", path, t, Some(full.clone())).await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["customerExternalId"], "co_1");
    assert_eq!(created.body["licenseId"], plan["id"]);
    assert_eq!(created.body["description"], "Frankfurt");
    assert_eq!(created.body["integrationMetadata"], json!({}));
    assert_eq!(created.body["startLicenseDate"], "2026-01-01T00:00:00Z");
    let slug = created.body["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("prod-eu"), "a slug is generated: {slug}");
    assert_eq!(app.core("GET", path, t, None).await.body, created.body);
    let instance = app.core("GET", &format!("/instances/{slug}"), t, None).await;
    assert_eq!(instance.body["customerSlug"], made_slug(&app, &org, "co_1").await);
    assert_eq!(instance.body["metadata"], json!({"region": "eu"}));
    assert_eq!(instance.body["integrations"][ATTIO]["external_id"], "ws_1");

    // Known: only what is sent changes; the customer moves through its own external id.
    let moved = app
        .core(
            "PATCH",
            path,
            t,
            Some(json!({"customerExternalId": "co_2", "licenseId": other_plan["id"], "error": "lagging"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["customerExternalId"], "co_2");
    assert_eq!(moved.body["licenseId"], other_plan["id"]);
    assert_eq!((moved.body["name"].as_str(), moved.body["description"].as_str()), (Some("Prod EU"), Some("Frankfurt")));
    assert_eq!(moved.body["error"], "lagging");
    let instance = app.core("GET", &format!("/instances/{slug}"), t, None).await;
    assert_eq!(instance.body["customerSlug"], made_slug(&app, &org, "co_2").await);
    assert_eq!(instance.body["metadata"], json!({"region": "eu"}), "metadata left out is kept");
    let only_link = app.core("PATCH", path, t, Some(json!({"error": ""}))).await;
    assert!(only_link.body.get("error").is_none());
    let bad_dates = app.core("PATCH", path, t, Some(json!({"endLicenseDate": "2020-01-01T00:00:00Z"}))).await;
    assert_eq!((bad_dates.status, bad_dates.code()), (400, "UpsertIntegration.InvalidLicenseDates"));
    let no_license = app.core("PATCH", path, t, Some(json!({"licenseId": uuid::Uuid::new_v4()}))).await;
    assert_eq!((no_license.status, no_license.code()), (404, "UpsertIntegration.LicenseNotFound"));

    let names = event_names(&app, &org.id, "INSTANCE").await;
    assert_eq!(names, ["INSTANCE_CREATED", "INSTANCE_UPDATED"], "a link-only change is not an instance change");
}

async fn made_slug(app: &TestApp, org: &Org, external_id: &str) -> Value {
    let path = format!("/integration/crm.attio/customer/{external_id}");
    app.core("GET", &path, Some(&org.token), None).await.body["slug"].clone()
}

#[tokio::test]
async fn another_organizations_records_are_not_found_and_do_not_conflict() {
    let app = spawn_app().await;
    let a = app.org("org_links_a").await;
    let b = app.org("org_links_b").await;
    let path = "/integration/crm.attio/customer/rec_shared";
    let made = app.core("PATCH", path, Some(&a.token), Some(json!({"name": "A's"}))).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let seen = app.core("GET", path, Some(&b.token), None).await;
    assert_eq!((seen.status, seen.code()), (404, "Integration.CustomerNotFound"));
    let patched = app.core("PATCH", path, Some(&b.token), Some(json!({"error": "x"}))).await;
    assert_eq!(
        (patched.status, patched.code()),
        (400, "UpsertIntegration.CustomerNameRequired"),
        "b has no such record"
    );
    let own = app.core("PATCH", path, Some(&b.token), Some(json!({"name": "B's"}))).await;
    assert_eq!((own.status, own.body["name"].as_str()), (200, Some("B's")));
    assert_eq!(app.core("GET", path, Some(&a.token), None).await.body["name"], "A's");
    let slug = made.body["slug"].as_str().unwrap();
    let foreign = app.core("GET", &format!("/customers/{slug}/integrations/{ATTIO}"), Some(&b.token), None).await;
    assert_eq!((foreign.status, foreign.code()), (404, "GetCustomerIntegration.CustomerNotFound"));
    let instance = app
        .core(
            "PATCH",
            "/integration/crm.attio/instance/ws_x",
            Some(&b.token),
            Some(json!({"name": "i", "description": "d", "customerExternalId": "rec_nothere",
                        "licenseId": uuid::Uuid::new_v4(), "startLicenseDate": "2026-01-01T00:00:00Z",
                        "endLicenseDate": "2027-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!((instance.status, instance.code()), (404, "UpsertIntegration.CustomerNotFound"));
}

#[tokio::test]
async fn a_read_only_token_reads_links_but_cannot_write_them() {
    let app = spawn_app().await;
    let org = app.org("org_links_scopes").await;
    customer(&app, &org, "acme").await;
    let path = format!("/customers/acme/integrations/{ATTIO}");
    assert_eq!(app.core("POST", &path, Some(&org.token), Some(link("r1"))).await.status, 201);
    let reader = app.mint(&org.id, Some(&["read:customers", "read:instances"])).await;
    let r = Some(reader.as_str());
    assert_eq!(app.core("GET", &path, r, None).await.status, 200);
    assert_eq!(app.core("GET", "/integration/crm.attio/customer/r1", r, None).await.status, 200);
    for (method, path, body) in [
        ("POST", path.replace(ATTIO, "billing.stripe"), Some(link("r2"))),
        ("PUT", path.clone(), Some(link("r3"))),
        ("DELETE", path.clone(), None),
        ("PATCH", "/integration/crm.attio/customer/r1".to_owned(), Some(json!({"error": "x"}))),
        ("PATCH", "/integration/crm.attio/instance/w1".to_owned(), Some(json!({"error": "x"}))),
    ] {
        let reply = app.core(method, &path, r, body).await;
        assert_eq!(reply.status, 403, "{method} {path}: {}", reply.text);
    }
    let customers_only = app.mint(&org.id, Some(&["read:customers"])).await;
    let reply = app.core("GET", "/integration/crm.attio/instance/w1", Some(&customers_only), None).await;
    assert_eq!(reply.status, 403);
    assert_eq!(app.core("GET", &path, Some(&org.token), None).await.body["external_id"], "r1");
}

#[tokio::test]
async fn the_platform_lists_only_the_tokens_it_minted_that_still_work() {
    let app = spawn_app().await;
    let org = app.org("org_token_list").await;
    let path = format!("/platform/organizations/{}/tokens", org.id);
    let p = Some(app.platform_token.as_str());
    let mint = |name: &'static str| {
        let path = path.clone();
        let app = &app;
        async move {
            let reply = app.platform("POST", &path, p, Some(json!({"name": name}))).await;
            assert_eq!(reply.status, 201, "{}", reply.text);
            reply.body
        }
    };
    let kept = mint("kept").await;
    let revoked = mint("revoked").await;
    let expired = mint("expired").await;
    let revoked_slug = revoked["slug"].as_str().unwrap();
    assert_eq!(app.platform("DELETE", &format!("{path}/{revoked_slug}"), p, None).await.status, 204);
    sqlx::query("UPDATE token SET expires_at = now() - interval '1 second' WHERE slug = $1")
        .bind(expired["slug"].as_str().unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    let listed = app.platform("GET", &path, p, None).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let mut names: Vec<&str> = listed.body.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"kept") && !names.contains(&"revoked") && !names.contains(&"expired"), "{names:?}");
    assert!(listed.body.as_array().unwrap().iter().all(|t| t.get("token").is_none()), "never a secret");
    assert!(kept["token"].as_str().is_some());

    // The official SDK: list, revoke, list again.
    let script = r#"
import sys
from kaitencloud import KaitenPlatformClient
url, token, org = sys.argv[1:4]
with KaitenPlatformClient(base_url=url, token=token, max_retries=0) as platform:
    before = sorted(t.name for t in platform.tokens.list(org))
    slug = next(t.slug for t in platform.tokens.list(org) if t.name == "kept")
    platform.tokens.revoke(org, slug)
    after = sorted(t.name for t in platform.tokens.list(org))
print(",".join(before) + "|" + ",".join(after))
"#;
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pyenv/bin/python");
    assert!(python.exists(), "run scripts/test-deps first: {} is missing", python.display());
    let base = format!("{}/api", app.platform_url);
    let out = tokio::process::Command::new(python)
        .args(["-c", script, &base, &app.platform_token, &org.id])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let default_token = names.iter().find(|n| **n != "kept").unwrap().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let mut before = ["kept".to_owned(), default_token.clone()];
    before.sort();
    assert_eq!(stdout, format!("{}|{default_token}", before.join(",")));
}
