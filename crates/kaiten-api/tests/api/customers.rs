use serde_json::json;

use kaiten_testkit::spawn_app;

use crate::support::events;

#[tokio::test]
async fn create_get_update_delete_round_trip_with_outbox_events() {
    let app = spawn_app().await;
    let org = app.org("org_customers").await;
    let t = Some(org.token.as_str());
    let created = app
        .core(
            "POST",
            "/customers",
            t,
            Some(json!({"name": "Awesome Customer", "domain": "awesome.example", "externalCustomerId": "crm-1"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let slug = created.body["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("awesome-customer-") && slug.len() == "awesome-customer-".len() + 6, "{slug}");
    assert_eq!(created.body["createdBy"]["id"], created.body["updatedBy"]["id"]);
    assert!(created.body.get("integrations").is_none(), "an empty map is left out");

    let got = app.core("GET", &format!("/customers/{slug}"), t, None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, created.body);

    let updated =
        app.core("PUT", &format!("/customers/{slug}"), t, Some(json!({"name": "Renamed", "slug": slug}))).await;
    assert_eq!(updated.status, 204, "{}", updated.text);
    assert!(updated.text.is_empty());
    let got = app.core("GET", &format!("/customers/{slug}"), t, None).await;
    assert_eq!(got.body["name"], "Renamed");
    assert!(got.body.get("domain").is_none(), "PUT is a full replacement");

    let deleted = app.core("DELETE", &format!("/customers/{slug}"), t, None).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(app.core("GET", &format!("/customers/{slug}"), t, None).await.code(), "Customer.NotFound");

    let events = events(&app, &org.id).await;
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).filter(|n| n.starts_with("CUSTOMER")).collect();
    assert_eq!(names, ["CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_DELETED"]);
    let created_event = events.iter().find(|e| e.0 == "CUSTOMER_CREATED").unwrap();
    assert_eq!(created_event.1, "com.kaiten.customer.v1.created");
    assert_eq!(created_event.2["slug"], json!(slug));
    assert_eq!(events.iter().find(|e| e.0 == "CUSTOMER_UPDATED").unwrap().2["name"], "Renamed");
}

#[tokio::test]
async fn slugs_are_validated_and_unique_per_organization() {
    let app = spawn_app().await;
    let a = app.org("org_slug_a").await;
    let b = app.org("org_slug_b").await;
    let first = app.core("POST", "/customers", Some(&a.token), Some(json!({"name": "A", "slug": "acme"}))).await;
    assert_eq!(first.status, 201);
    let again = app.core("POST", "/customers", Some(&a.token), Some(json!({"name": "A2", "slug": "acme"}))).await;
    assert_eq!((again.status, again.code()), (409, "CreateCustomer.SlugConflict"));
    let other_org = app.core("POST", "/customers", Some(&b.token), Some(json!({"name": "B", "slug": "acme"}))).await;
    assert_eq!(other_org.status, 201, "slugs are unique per organization only");
    let rename = app.core("PUT", "/customers/acme", Some(&a.token), Some(json!({"name": "A", "slug": "other"}))).await;
    assert_eq!((rename.status, rename.code()), (400, "UpdateCustomer.SlugNotRenameable"));
}

#[tokio::test]
async fn bad_bodies_are_422_problems_located_at_the_field() {
    let app = spawn_app().await;
    let org = app.org("org_bad_bodies").await;
    let cases = [
        (json!({"name": "x", "colour": "red"}), "body.colour"),
        (json!({"name": ""}), "body.name"),
        (json!({"name": 42}), "body.name"),
        (json!({"name": "x", "slug": "Not A Slug"}), "body.slug"),
        (json!({"name": "x", "slug": "a".repeat(101)}), "body.slug"),
        (json!({"name": "x", "domain": "no-dot"}), "body.domain"),
        (json!({"name": "x", "domain": null}), "body.domain"),
        (json!({"slug": "no-name"}), "body"),
        (json!(["not", "an", "object"]), "body"),
    ];
    for (body, location) in cases {
        let reply = app.core("POST", "/customers", Some(&org.token), Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (422, "UNPROCESSABLE"), "{body}: {}", reply.text);
        let locations: Vec<&str> =
            reply.body["errors"].as_array().unwrap().iter().map(|e| e["location"].as_str().unwrap()).collect();
        assert!(locations.contains(&location), "{body}: {locations:?}");
    }
    let nullable =
        app.core("POST", "/customers", Some(&org.token), Some(json!({"name": "x", "externalCustomerId": null}))).await;
    assert_eq!(nullable.status, 201, "externalCustomerId is nullable: {}", nullable.text);
    let malformed = app.send(&app.core_url, "POST", "/customers", Some(&org.token), Some("{\"name\":".into())).await;
    assert_eq!((malformed.status, malformed.code()), (400, "VALIDATION"));
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let too_large = app.send(&app.core_url, "POST", "/customers", Some(&org.token), Some(huge)).await;
    assert_eq!((too_large.status, too_large.content_type()), (413, "application/problem+json"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM customer").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 1, "only the valid body created a customer");
}

#[tokio::test]
async fn an_invalid_integration_writes_nothing() {
    let app = spawn_app().await;
    let org = app.org("org_integrations").await;
    let bad = json!({"name": "x", "integrations": {"crm.attio": {"external_id": "rec_1", "web_url": "ftp://nope"}}});
    let reply = app.core("POST", "/customers", Some(&org.token), Some(bad)).await;
    assert_eq!((reply.status, reply.code()), (400, "CreateCustomer.InvalidIntegration"));
    let good = json!({"name": "y", "integrations": {"crm.attio": {"external_id": " rec_1 ", "web_url": "https://app.attio.com/x", "metadata": {"k": 1}}}});
    let reply = app.core("POST", "/customers", Some(&org.token), Some(good.clone())).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["integrations"]["crm.attio"]["external_id"], "rec_1");
    assert!(reply.body["integrations"]["crm.attio"]["synced_at"].is_string());
    let duplicate = app.core("POST", "/customers", Some(&org.token), Some(good)).await;
    assert_eq!((duplicate.status, duplicate.code()), (409, "CreateCustomer.IntegrationConflict"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM customer").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 1, "the conflicting create rolled back whole");
}

#[tokio::test]
async fn lists_page_by_cursor_and_refuse_bad_parameters() {
    let app = spawn_app().await;
    let org = app.org("org_pages").await;
    for i in 0..5 {
        let reply = app.core("POST", "/customers", Some(&org.token), Some(json!({"name": format!("c{i}")}))).await;
        assert_eq!(reply.status, 201);
    }
    let mut seen = Vec::new();
    let mut path = "/customers?limit=2".to_owned();
    loop {
        let page = app.core("GET", &path, Some(&org.token), None).await;
        assert_eq!(page.status, 200, "{}", page.text);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()));
        if !page.body["hasMore"].as_bool().unwrap() {
            assert!(page.body.get("nextCursor").is_none());
            break;
        }
        path = format!("/customers?limit=2&cursor={}", page.body["nextCursor"].as_str().unwrap());
    }
    assert_eq!(seen, ["c4", "c3", "c2", "c1", "c0"], "newest first, each once");
    for bad in ["limit=0", "limit=201", "limit=ten"] {
        let reply = app.core("GET", &format!("/customers?{bad}"), Some(&org.token), None).await;
        assert_eq!((reply.status, reply.code()), (422, "UNPROCESSABLE"), "{bad}");
    }
    let reply = app.core("GET", "/customers?cursor=eyJ0YW1wZXJlZCI6dHJ1ZX0", Some(&org.token), None).await;
    assert_eq!((reply.status, reply.code()), (400, "Pagination.InvalidCursor"));
    assert_eq!(app.core("GET", "/customers?limit=200", Some(&org.token), None).await.status, 200);
}

#[tokio::test]
async fn another_organization_sees_nothing_of_the_first() {
    let app = spawn_app().await;
    let a = app.org("org_iso_a").await;
    let b = app.org("org_iso_b").await;
    let created =
        app.core("POST", "/customers", Some(&a.token), Some(json!({"name": "Secret", "slug": "secret"}))).await;
    assert_eq!(created.status, 201);
    assert_eq!(app.core("GET", "/customers/secret", Some(&b.token), None).await.status, 404);
    assert_eq!(app.core("PUT", "/customers/secret", Some(&b.token), Some(json!({"name": "Mine"}))).await.status, 404);
    assert_eq!(app.core("DELETE", "/customers/secret", Some(&b.token), None).await.status, 404);
    let list = app.core("GET", "/customers", Some(&b.token), None).await;
    assert_eq!(list.body, json!({"items": [], "hasMore": false}));
    assert_eq!(app.core("GET", "/customers/secret", Some(&a.token), None).await.body["name"], "Secret");
}
