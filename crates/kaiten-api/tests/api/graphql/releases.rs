//! Releases, components and deployments over GraphQL, against data written through REST: every
//! query and relation, pagination, lookups that find nothing (another organization's ids and
//! slugs included), and the scope gate on relations.

use kaiten_testkit::{Org, TestApp, spawn_app};
use serde_json::{Value, json};

use super::{data, gql};
use crate::support::instance_with;

async fn post(app: &TestApp, org: &Org, path: &str, body: Value) -> Value {
    let reply = app.core("POST", path, Some(&org.token), Some(body)).await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.text);
    reply.body
}

/// Points the zone `slug` at `release` (a deploy, or a rollback).
async fn deploy(app: &TestApp, org: &Org, slug: &str, release: &Value) {
    let body = json!({"name": slug, "type": "production", "description": "", "releaseId": release["id"]});
    let reply = app.core("PUT", &format!("/deployment-zones/{slug}"), Some(&org.token), Some(body)).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
}

/// Moves the instance `slug` into `zone`.
async fn place(app: &TestApp, org: &Org, slug: &str, zone: &Value) {
    let t = Some(org.token.as_str());
    let mut body = app.core("GET", &format!("/instances/{slug}"), t, None).await.body;
    body["deploymentZoneId"] = zone["id"].clone();
    assert_eq!(app.core("PUT", &format!("/instances/{slug}"), t, Some(body)).await.status, 204);
}

/// The ids of a release's log entries, newest first, from the database.
async fn log(app: &TestApp, release: &Value) -> Vec<Value> {
    let ids: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM deployment WHERE release_id = $1::uuid ORDER BY seq DESC")
            .bind(release["id"].as_str().unwrap())
            .fetch_all(&app.pool)
            .await
            .unwrap();
    ids.into_iter().map(|id| json!(id)).collect()
}

/// A REST component as GraphQL renders it: absent optional fields read null.
fn view(rest: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for key in ["id", "previousComponentId", "name", "version", "slug", "description", "createdAt"] {
        out.insert(key.into(), rest.get(key).cloned().unwrap_or(Value::Null));
    }
    out.insert("createdBy".into(), user(&rest["createdBy"]));
    Value::Object(out)
}

/// A REST user as GraphQL renders it: no name reads "".
fn user(rest: &Value) -> Value {
    json!({"id": rest["id"], "name": rest.get("name").cloned().unwrap_or(json!(""))})
}

fn field(items: &Value, name: &str) -> Vec<Value> {
    items.as_array().unwrap().iter().map(|i| i[name].clone()).collect()
}

const RELEASE: &str = "id version slug description createdBy { id name } createdAt
    components { id previousComponentId name version slug description createdBy { id name } createdAt }
    deploymentZones { id slug releaseId }
    instances { slug deploymentZoneSlug }
    deployments { id deploymentZoneId releaseId createdBy { id name } createdAt }";

#[tokio::test]
async fn releases_read_their_components_zones_instances_and_deployments() {
    let app = spawn_app().await;
    let org = app.org("org_gql_releases").await;
    let t = org.token.as_str();
    let api = post(&app, &org, "/components", json!({"name": "api", "version": "1", "description": "the API"})).await;
    let web = post(&app, &org, "/components", json!({"name": "web", "version": "1"})).await;
    let api2 =
        post(&app, &org, "/components", json!({"name": "api", "version": "2", "previousComponentId": api["id"]})).await;
    let v1 = post(
        &app,
        &org,
        "/releases",
        json!({"version": "1.0", "slug": "v1", "description": "first", "componentIds": [web["id"], api["id"]]}),
    )
    .await;
    let v2 = post(&app, &org, "/releases", json!({"version": "2.0", "slug": "v2", "componentIds": [api2["id"]]})).await;
    let bare = post(&app, &org, "/releases", json!({"version": "3.0", "slug": "bare"})).await;

    // eu: v1, then v2, then back to v1 (a rollback); us: v1 only.
    let zone = |slug: &str| json!({"name": slug, "slug": slug, "type": "production", "description": "", "releaseId": v1["id"]});
    let eu = post(&app, &org, "/deployment-zones", zone("eu")).await;
    let us = post(&app, &org, "/deployment-zones", zone("us")).await;
    deploy(&app, &org, "eu", &v2).await;
    deploy(&app, &org, "eu", &v1).await;
    for (slug, zone) in [("prod", Some(&eu)), ("stage", Some(&us)), ("idle", None)] {
        instance_with(&app, &org, slug, &[]).await;
        if let Some(zone) = zone {
            place(&app, &org, slug, zone).await;
        }
    }

    let query = format!(
        "query($id: UUID!) {{
            byId: release(id: $id) {{ {RELEASE} }}
            bySlug: release(slug: \"v2\") {{ {RELEASE} }}
            bare: release(slug: \"bare\") {{ {RELEASE} }}
        }}"
    );
    let got = data(&app, t, &query, json!({"id": v1["id"]})).await;

    let one = &got["byId"];
    let rest = app.core("GET", "/releases/v1", Some(t), None).await.body;
    for name in ["id", "version", "slug", "description", "createdAt"] {
        assert_eq!(one[name], rest[name], "{name}");
    }
    assert_eq!(one["createdBy"], user(&rest["createdBy"]));
    assert_eq!(one["components"], json!([view(&web), view(&api)]), "whole components, in the release's order");
    assert_eq!(
        one["deploymentZones"],
        json!([{"id": eu["id"], "slug": "eu", "releaseId": v1["id"]}, {"id": us["id"], "slug": "us", "releaseId": v1["id"]}]),
        "each zone once, the most recently deployed first"
    );
    assert_eq!(
        one["instances"],
        json!([{"slug": "prod", "deploymentZoneSlug": "eu"}, {"slug": "stage", "deploymentZoneSlug": "us"}])
    );
    let deployments = &one["deployments"];
    assert_eq!(field(deployments, "id"), log(&app, &v1).await, "every entry, newest first");
    assert_eq!(
        field(deployments, "deploymentZoneId"),
        [eu["id"].clone(), us["id"].clone(), eu["id"].clone()],
        "the rollback included"
    );
    assert!(field(deployments, "releaseId").iter().all(|r| *r == v1["id"]));
    assert_eq!(deployments[0]["createdBy"], one["createdBy"]);
    assert!(deployments[0]["createdAt"].as_str().unwrap() >= deployments[2]["createdAt"].as_str().unwrap());

    // A zone the release ran on once still counts, with its instances.
    let two = &got["bySlug"];
    assert_eq!((two["id"].clone(), two["description"].clone()), (v2["id"].clone(), Value::Null));
    assert_eq!(two["components"], json!([view(&api2)]));
    assert_eq!(two["components"][0]["previousComponentId"], api["id"]);
    assert_eq!(field(&two["deploymentZones"], "slug"), ["eu"]);
    assert_eq!(two["deploymentZones"][0]["releaseId"], v1["id"], "eu runs v1 again");
    assert_eq!(field(&two["instances"], "slug"), ["prod"]);
    assert_eq!(field(&two["deployments"], "id"), log(&app, &v2).await);
    assert_eq!(field(&two["deployments"], "deploymentZoneId"), [eu["id"].clone()]);

    let none = &got["bare"];
    assert_eq!(none["id"], bare["id"]);
    for list in ["components", "deploymentZones", "instances", "deployments"] {
        assert_eq!(none[list], json!([]), "{list}");
    }

    // Pages: the same relations for a whole page, in REST's order.
    let paged = format!(
        "query($cursor: String) {{ releases(limit: 2, cursor: $cursor) {{ items {{ {RELEASE} }} hasMore nextCursor }} }}"
    );
    let first = data(&app, t, &paged, json!({})).await;
    assert_eq!(field(&first["releases"]["items"], "slug"), ["bare", "v2"]);
    assert_eq!(first["releases"]["hasMore"], json!(true));
    assert_eq!(first["releases"]["items"][1], *two);
    let cursor = first["releases"]["nextCursor"].as_str().unwrap();
    let second = data(&app, t, &paged, json!({"cursor": cursor})).await;
    assert_eq!(second["releases"]["items"], json!([one]));
    assert_eq!(
        (second["releases"]["hasMore"].clone(), second["releases"]["nextCursor"].clone()),
        (json!(false), Value::Null)
    );
    let rest = app.core("GET", "/releases", Some(t), None).await.body;
    assert_eq!(field(&rest["items"], "slug"), ["bare", "v2", "v1"]);
    let all = data(&app, t, "{ releases { items { slug } hasMore nextCursor } }", json!({})).await;
    assert_eq!(
        all["releases"],
        json!({"items": [{"slug": "bare"}, {"slug": "v2"}, {"slug": "v1"}], "hasMore": false, "nextCursor": null})
    );
}

#[tokio::test]
async fn components_are_paged_and_read_by_id_or_slug() {
    let app = spawn_app().await;
    let org = app.org("org_gql_components").await;
    let t = org.token.as_str();
    let api = post(&app, &org, "/components", json!({"name": "api", "version": "1", "slug": "api-1"})).await;
    let web = post(&app, &org, "/components", json!({"name": "web", "version": "1", "description": "front"})).await;
    let api2 =
        post(&app, &org, "/components", json!({"name": "api", "version": "2", "previousComponentId": api["id"]})).await;

    let fields = "id previousComponentId name version slug description createdBy { id name } createdAt";
    let query = format!(
        "query($id: UUID!, $cursor: String) {{
            byId: component(id: $id) {{ {fields} }}
            bySlug: component(slug: \"api-1\") {{ {fields} }}
            components(limit: 2, cursor: $cursor) {{ items {{ {fields} }} hasMore nextCursor }}
        }}"
    );
    let got = data(&app, t, &query, json!({"id": api2["id"]})).await;
    assert_eq!(got["byId"], view(&api2));
    assert_eq!(got["byId"]["previousComponentId"], api["id"]);
    assert_eq!(got["bySlug"], view(&api));
    assert_eq!(got["bySlug"]["previousComponentId"], Value::Null);
    assert_eq!(got["bySlug"]["description"], Value::Null);
    let rest = app.core("GET", "/components?limit=2", Some(t), None).await.body;
    let rest: Vec<Value> = rest["items"].as_array().unwrap().iter().map(view).collect();
    assert_eq!(got["components"]["items"], json!(rest), "the REST resources, in REST's order");
    assert_eq!(got["components"]["items"], json!([view(&api2), view(&web)]));
    assert_eq!(got["components"]["hasMore"], json!(true));
    let cursor = got["components"]["nextCursor"].as_str().unwrap();
    let next = data(&app, t, &query, json!({"id": api2["id"], "cursor": cursor})).await;
    assert_eq!(
        next["components"],
        json!({"items": [view(&api)], "hasMore": false, "nextCursor": null}),
        "the last page has no cursor"
    );
    let one = data(&app, t, "{ components(limit: 1) { items { slug } hasMore } }", json!({})).await;
    assert_eq!(one["components"], json!({"items": [{"slug": api2["slug"]}], "hasMore": true}));
    let bad = gql(&app, t, "{ components(cursor: \"%%%\") { hasMore } }", json!({})).await;
    assert!(bad.body["errors"][0]["extensions"]["code"].is_string(), "{}", bad.text);
}

#[tokio::test]
async fn unknown_and_foreign_ids_and_slugs_read_null() {
    let app = spawn_app().await;
    let org = app.org("org_gql_releases_ours").await;
    let other = app.org("org_gql_releases_theirs").await;
    let t = org.token.as_str();
    let ours = post(&app, &org, "/components", json!({"name": "api", "version": "1", "slug": "shared"})).await;
    let mine =
        post(&app, &org, "/releases", json!({"version": "1", "slug": "shared", "componentIds": [ours["id"]]})).await;
    let theirs = post(&app, &other, "/components", json!({"name": "api", "version": "1", "slug": "shared"})).await;
    let their_only = post(&app, &other, "/components", json!({"name": "x", "version": "1", "slug": "theirs"})).await;
    let release = post(
        &app,
        &other,
        "/releases",
        json!({"version": "1", "slug": "theirs", "componentIds": [theirs["id"], their_only["id"]]}),
    )
    .await;
    let zone = json!({"name": "EU", "slug": "eu", "type": "p", "description": "", "releaseId": release["id"]});
    post(&app, &other, "/deployment-zones", zone).await;

    let query = "query($release: UUID!, $component: UUID!, $unknown: UUID!) {
        foreignRelease: release(id: $release) { id }
        foreignReleaseSlug: release(slug: \"theirs\") { id }
        unknownRelease: release(id: $unknown) { id }
        unknownReleaseSlug: release(slug: \"nope\") { id }
        foreignComponent: component(id: $component) { id }
        foreignComponentSlug: component(slug: \"theirs\") { id }
        unknownComponent: component(id: $unknown) { id }
        unknownComponentSlug: component(slug: \"nope\") { id }
        sharedRelease: release(slug: \"shared\") { id components { id } deploymentZones { id } deployments { id } instances { id } }
        sharedComponent: component(slug: \"shared\") { id }
        releases { items { id } }
        components { items { id } }
    }";
    let vars = json!({"release": release["id"], "component": their_only["id"], "unknown": uuid::Uuid::new_v4()});
    let got = data(&app, t, query, vars).await;
    for name in [
        "foreignRelease",
        "foreignReleaseSlug",
        "unknownRelease",
        "unknownReleaseSlug",
        "foreignComponent",
        "foreignComponentSlug",
        "unknownComponent",
        "unknownComponentSlug",
    ] {
        assert_eq!(got[name], Value::Null, "{name}");
    }
    assert_eq!(
        got["sharedRelease"],
        json!({"id": mine["id"], "components": [{"id": ours["id"]}], "deploymentZones": [], "deployments": [], "instances": []}),
        "the caller's own, nothing of the other organization's"
    );
    assert_eq!(got["sharedComponent"], json!({"id": ours["id"]}));
    assert_eq!(got["releases"]["items"], json!([{"id": mine["id"]}]));
    assert_eq!(got["components"]["items"], json!([{"id": ours["id"]}]));

    // Neither id nor slug is an error, not null.
    for query in ["{ release { id } }", "{ component { id } }"] {
        let reply = gql(&app, t, query, json!({})).await;
        assert_eq!(reply.body["errors"][0]["extensions"]["code"], "GraphQL.MissingArgument", "{}", reply.text);
    }
}

#[tokio::test]
async fn every_relation_needs_the_read_scope_of_what_it_returns() {
    let app = spawn_app().await;
    let org = app.org("org_gql_releases_scopes").await;
    post(&app, &org, "/releases", json!({"version": "1", "slug": "v1"})).await;
    let releases_only = app.mint(&org.id, Some(&["read:releases"])).await;
    let components_only = app.mint(&org.id, Some(&["read:components"])).await;
    let all =
        app.mint(&org.id, Some(&["read:releases", "read:components", "read:deployment_zones", "read:instances"])).await;

    let plain = "{ release(slug: \"v1\") { id slug } releases { items { id } } }";
    assert_eq!(data(&app, &releases_only, plain, json!({})).await["release"]["slug"], "v1");
    let cases = [
        ("{ release(slug: \"v1\") { components { id } } }", "read:components"),
        ("{ releases { items { components { id } } } }", "read:components"),
        ("{ release(slug: \"v1\") { ...C } } fragment C on Release { components { id } }", "read:components"),
        ("{ release(slug: \"v1\") { components @skip(if: true) { id } } }", "read:components"),
        ("{ release(slug: \"v1\") { deployments { id } } }", "read:deployment_zones"),
        ("{ release(slug: \"v1\") { deploymentZones { id } } }", "read:deployment_zones"),
        ("{ release(slug: \"v1\") { instances { id } } }", "read:instances"),
    ];
    for (query, scope) in cases {
        let reply = gql(&app, &releases_only, query, json!({})).await;
        assert_eq!((reply.status, reply.code()), (403, "Auth.MissingScope"), "{query}: {}", reply.text);
        assert_eq!(reply.body["detail"], format!("missing required scope: {scope}"), "{query}");
        assert_eq!(gql(&app, &all, query, json!({})).await.status, 200, "{query}");
    }
    // REST reads a release's components with read:releases alone; the gate is stricter.
    assert_eq!(app.core("GET", "/releases/v1", Some(&releases_only), None).await.status, 200);
    for query in ["{ components { items { id } } }", "{ component(slug: \"x\") { id } }"] {
        assert_eq!(data(&app, &components_only, query, json!({})).await.as_object().unwrap().len(), 1, "{query}");
        let reply = gql(&app, &releases_only, query, json!({})).await;
        assert_eq!((reply.status, reply.code()), (403, "Auth.MissingScope"), "{query}: {}", reply.text);
    }
    let reply = gql(&app, &components_only, plain, json!({})).await;
    assert_eq!((reply.status, reply.code()), (403, "Auth.MissingScope"));
}
