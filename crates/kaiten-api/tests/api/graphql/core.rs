//! The core queries against data created through REST; isolation between organizations; the
//! scope gate (fragments included, @skip ignored); the limits; transports and credentials.

use kaiten_testkit::spawn_app;
use serde_json::{Value, json};

use super::{data, gql};
use crate::support::instance_with;

#[tokio::test]
async fn every_core_query_and_relation_reads_what_rest_wrote() {
    let app = spawn_app().await;
    let org = app.org("org_gql_core").await;
    let t = org.token.as_str();
    let instance = instance_with(
        &app,
        &org,
        "prod",
        &[(
            json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
            json!({"value": {"type": "number", "value": -1}}),
        )],
    )
    .await;
    let zone = app
        .core(
            "POST",
            "/deployment-zones",
            Some(t),
            Some(json!({"name": "EU", "slug": "eu", "type": "production", "description": "d"})),
        )
        .await;
    assert_eq!(zone.status, 201, "{}", zone.text);
    let mut body = app.core("GET", "/instances/prod", Some(t), None).await.body;
    body["deploymentZoneId"] = zone.body["id"].clone();
    assert_eq!(app.core("PUT", "/instances/prod", Some(t), Some(body)).await.status, 204);

    let query = r#"query($id: UUID!, $slug: String!) {
        _health
        byId: instance(id: $id) { slug status lifecycleStage integrations deploymentZoneSlug
              deploymentZone { slug type description metadata releaseId createdBy { id } }
              customer { slug instances { slug } } license { slug instances { slug } family { id slug isPublic } } }
        bySlug: instance(slug: $slug) { id }
        instances(limit: 10) { items { slug } hasMore nextCursor }
        customers { items { slug integrations billingEmail domain } }
        entitlements { items { slug type resetPeriod resetAnchor warningThresholdPercent entitlementGroups { slug } } }
        deploymentZones { items { slug } }
        zoneBySlug: deploymentZone(slug: "eu") { id }
        licenses { items { slug entitlements { entitlementSlug unlimited limitCapExceededOveragePercent value } } }
    }"#;
    let got = data(&app, t, query, json!({"id": instance["id"], "slug": "prod"})).await;
    assert_eq!(got["_health"], "ok");
    let one = &got["byId"];
    assert_eq!(one["slug"], "prod");
    assert_eq!(one["status"], instance["status"]);
    assert_eq!(one["deploymentZoneSlug"], "eu");
    assert_eq!(one["deploymentZone"]["slug"], "eu");
    assert_eq!(one["deploymentZone"]["type"], "production");
    assert_eq!(one["customer"]["slug"], instance["customerSlug"]);
    assert_eq!(one["customer"]["instances"], json!([{"slug": "prod"}]));
    assert_eq!(one["license"]["instances"], json!([{"slug": "prod"}]));
    assert_eq!(one["license"]["family"]["isPublic"], json!(false));
    let family: String = sqlx::query_scalar("SELECT slug FROM license_family WHERE id = $1::uuid")
        .bind(one["license"]["family"]["id"].as_str().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(one["license"]["family"]["slug"], json!(family));
    assert_eq!(got["bySlug"]["id"], instance["id"]);
    assert_eq!(got["instances"], json!({"items": [{"slug": "prod"}], "hasMore": false, "nextCursor": null}));
    assert_eq!(got["customers"]["items"][0]["integrations"], json!({}));
    assert_eq!(got["entitlements"]["items"][0]["type"], "NUMBER");
    assert_eq!(got["zoneBySlug"]["id"], zone.body["id"]);
    let grant = &got["licenses"]["items"][0]["entitlements"][0];
    assert_eq!((grant["unlimited"].clone(), grant["limitCapExceededOveragePercent"].clone()), (json!(true), json!(-1)));
}

#[tokio::test]
async fn another_organizations_ids_and_slugs_resolve_to_nothing() {
    let app = spawn_app().await;
    let (mine, theirs) = (app.org("org_gql_mine").await, app.org("org_gql_theirs").await);
    let instance = instance_with(&app, &theirs, "secret", &[]).await;
    let query = r#"query($id: UUID!, $customer: UUID!, $license: UUID!) {
        instance(id: $id) { id } bySlug: instance(slug: "secret") { id }
        customer(id: $customer) { id } customerBySlug: customer(slug: "secret") { id }
        license(id: $license) { id }
        instances { items { id } } customers { items { id } } licenses { items { id } } entitlements { items { id } }
    }"#;
    let vars = json!({"id": instance["id"], "customer": instance["customerId"], "license": instance["licenseId"]});
    let got = data(&app, &mine.token, query, vars.clone()).await;
    for field in ["instance", "bySlug", "customer", "customerBySlug", "license"] {
        assert_eq!(got[field], Value::Null, "{field}");
    }
    for list in ["instances", "customers", "licenses", "entitlements"] {
        assert_eq!(got[list]["items"], json!([]), "{list}");
    }
    let own = data(&app, &theirs.token, query, vars).await;
    assert_eq!(own["instance"]["id"], instance["id"]);
}

#[tokio::test]
async fn every_selected_type_needs_its_read_scope_through_fragments_and_skipped_fields() {
    let app = spawn_app().await;
    let org = app.org("org_gql_scopes").await;
    let only_instances = app.mint(&org.id, Some(&["read:instances"])).await;
    let both = app.mint(&org.id, Some(&["read:instances", "read:customers"])).await;
    let nothing = app.mint(&org.id, Some(&["read:notifications"])).await;

    let plain = "{ instances { items { slug } } }";
    assert!(data(&app, &only_instances, plain, json!({})).await["instances"].is_object());
    let cases = [
        "{ instances { items { customer { slug } } } }",
        "{ instances { items { ...C } } } fragment C on Instance { customer { slug } }",
        "{ instances { items { ... on Instance { customer { id } } } } }",
        "{ instances { items { customer @skip(if: true) { slug } } } }",
    ];
    for query in cases {
        let reply = gql(&app, &only_instances, query, json!({})).await;
        assert_eq!((reply.status, reply.code()), (403, "Auth.MissingScope"), "{query}: {}", reply.text);
        assert_eq!(reply.body["detail"], "missing required scope: read:customers");
        assert_eq!(gql(&app, &both, query, json!({})).await.status, 200, "{query}");
    }
    let health = gql(&app, &nothing, "{ _health }", json!({})).await;
    assert_eq!((health.status, health.body["data"]["_health"].clone()), (200, json!("ok")));
    let reply = gql(&app, &nothing, plain, json!({})).await;
    assert_eq!(reply.code(), "Auth.MissingScope");
    // Same credentials as REST: none is 401, a platform credential is the wrong kind.
    let anonymous =
        app.send(&app.core_url, "POST", "/graphql", None, Some(json!({"query": "{ _health }"}).to_string())).await;
    assert_eq!(anonymous.status, 401);
    let platform = gql(&app, &app.platform_token, "{ _health }", json!({})).await;
    assert!(platform.status == 401 || platform.status == 403, "{}", platform.text);
}

#[tokio::test]
async fn over_deep_over_complex_and_over_long_documents_are_refused_before_running() {
    let app = spawn_app().await;
    let org = app.org("org_gql_limits").await;
    let t = org.token.as_str();
    let mut deep = String::from("slug");
    for _ in 0..7 {
        deep = format!("customer {{ instances {{ {deep} }} }}");
    }
    let deep = format!("{{ instances {{ items {{ {deep} }} }} }}");
    let reply = gql(&app, t, &deep, json!({})).await;
    assert_eq!((reply.status, reply.code()), (400, "GraphQL.TooDeep"), "{}", reply.text);
    // 200 licenses × 10 instances × 10 instances × 10 instances: charged by fan-out, over the
    // limit, though shallow enough and short.
    let complex = "{ licenses(limit: 200) { items { instances { customer { instances { license { instances { slug name } } } } } } } }";
    let reply = gql(&app, t, complex, json!({})).await;
    assert_eq!((reply.status, reply.code()), (400, "GraphQL.TooComplex"), "{}", reply.text);
    let long = format!("{{ {} }}", "_health ".repeat(1200));
    let reply = gql(&app, t, &long, json!({})).await;
    assert_eq!((reply.status, reply.code()), (400, "GraphQL.TooManyTokens"), "{}", reply.text);
    // No introspection by default; no mutations, no subscriptions.
    let introspection = gql(&app, t, "{ __schema { types { name } } }", json!({})).await;
    assert_eq!((introspection.status, introspection.code()), (400, "GraphQL.IntrospectionDisabled"));
    for query in ["mutation { x }", "subscription { x }"] {
        let reply = gql(&app, t, query, json!({})).await;
        assert!(reply.body["errors"].is_array(), "{query}: {}", reply.text);
        assert_eq!(reply.body["data"], Value::Null, "{query}");
    }
}

#[tokio::test]
async fn get_requests_and_bad_requests() {
    let app = spawn_app().await;
    let org = app.org("org_gql_get").await;
    let t = Some(org.token.as_str());
    let got = app.core("GET", "/graphql?query=%7B%20_health%20%7D", t, None).await;
    assert_eq!((got.status, got.body["data"]["_health"].clone()), (200, json!("ok")), "{}", got.text);
    let missing = app.core("GET", "/graphql", t, None).await;
    assert_eq!((missing.status, missing.code()), (400, "GraphQL.InvalidRequest"));
    let garbage = app.send(&app.core_url, "POST", "/graphql", t, Some("not json".into())).await;
    assert_eq!((garbage.status, garbage.code()), (400, "GraphQL.InvalidRequest"));
    let syntax = app.core("POST", "/graphql", t, Some(json!({"query": "{ instances { "}))).await;
    assert!(syntax.body["errors"][0]["message"].is_string(), "{}", syntax.text);
    let bad_cursor =
        app.core("POST", "/graphql", t, Some(json!({"query": "{ licenses(cursor: \"%%%\") { hasMore } }"}))).await;
    assert!(bad_cursor.body["errors"][0]["extensions"]["code"].is_string(), "{}", bad_cursor.text);
    let neither = app.core("POST", "/graphql", t, Some(json!({"query": "{ instance { id } }"}))).await;
    assert_eq!(neither.body["errors"][0]["extensions"]["code"], "GraphQL.MissingArgument", "{}", neither.text);
}

#[tokio::test]
async fn introspection_answers_when_the_server_enables_it() {
    let app = kaiten_testkit::spawn_app_with(kaiten_api::ApiConfig {
        graphql_introspection: true,
        ..kaiten_api::ApiConfig::default()
    })
    .await;
    let org = app.org("org_gql_introspection").await;
    let got = data(&app, &org.token, "{ __schema { queryType { name } mutationType { name } } }", json!({})).await;
    assert_eq!(got["__schema"], json!({"queryType": {"name": "Query"}, "mutationType": null}));
}

#[tokio::test]
async fn the_playground_is_served_from_the_binary_only_when_enabled() {
    let off = kaiten_testkit::spawn_app().await;
    let page = off.client.get(format!("{}/api/graphql/playground", off.core_url)).send().await.unwrap();
    assert_eq!(page.status(), 404);
    let on = kaiten_testkit::spawn_app_with(kaiten_api::ApiConfig {
        graphql_introspection: true,
        ..kaiten_api::ApiConfig::default()
    })
    .await;
    let page = on.client.get(format!("{}/api/graphql/playground", on.core_url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("GraphiQL.createFetcher") && !html.contains("https://"), "no CDN: {html}");
    let all_local = html.match_indices("src=\"").all(|(at, _)| html[at + 5..].starts_with("/api/graphql/playground/"));
    assert!(all_local, "every script is served by the server");
    for asset in ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"] {
        let reply = on.client.get(format!("{}/api/graphql/playground/{asset}", on.core_url)).send().await.unwrap();
        assert_eq!(reply.status(), 200, "{asset}");
        // Stored and served gzipped, for the browser to inflate.
        assert_eq!(reply.headers()["content-encoding"], "gzip", "{asset}");
        let body = reply.bytes().await.unwrap();
        assert_eq!(&body[..2], &[0x1f, 0x8b], "{asset}");
    }
}

#[tokio::test]
async fn customers_filter_by_integration_and_resolve_by_external_id() {
    let app = spawn_app().await;
    let org = app.org("org_gql_integrations").await;
    let t = org.token.as_str();
    let linked = json!({"name": "Linked", "externalCustomerId": "ext-1",
                        "integrations": {"crm.attio": {"external_id": "rec_1"}}});
    for body in [
        linked,
        json!({"name": "Plain", "externalCustomerId": "ext-2"}),
        json!({"name": "Twin", "externalCustomerId": "ext-2"}),
    ] {
        let reply = app.core("POST", "/customers", Some(t), Some(body)).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let got = data(
        &app,
        t,
        r#"{ attio: customers(hasIntegration: "crm.attio") { items { name integrations } }
             other: customers(hasIntegration: "crm.hubspot") { items { name } }
             all: customers { items { name } }
             byExternal: customer(externalCustomerId: "ext-1") { name } }"#,
        json!({}),
    )
    .await;
    assert_eq!(got["attio"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(got["attio"]["items"][0]["name"], "Linked");
    assert_eq!(got["attio"]["items"][0]["integrations"]["crm.attio"]["external_id"], "rec_1");
    assert_eq!(got["other"]["items"], json!([]));
    assert_eq!(got["all"]["items"].as_array().unwrap().len(), 3);
    assert_eq!(got["byExternal"]["name"], "Linked");
    // Two customers share ext-2: an error, not an arbitrary pick.
    let ambiguous = gql(&app, t, r#"{ customer(externalCustomerId: "ext-2") { name } }"#, json!({})).await;
    assert_eq!(ambiguous.body["errors"][0]["extensions"]["code"], "Customer.AmbiguousExternalId", "{}", ambiguous.text);
}

#[tokio::test]
async fn a_nul_character_in_an_argument_is_bad_input_not_a_fault() {
    let app = spawn_app().await;
    let org = app.org("org_gql_nul").await;
    let reply =
        gql(&app, &org.token, "query($s: String!) { customer(slug: $s) { id } }", json!({"s": "a\u{0}b"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["errors"][0]["extensions"]["code"], "VALIDATION", "{}", reply.text);
    assert_eq!(reply.body["errors"][0]["extensions"]["status"], 400);
}
