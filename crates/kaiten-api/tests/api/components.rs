//! Components over HTTP: CRUD, the new version a linked component becomes on update, the
//! delete guard, conflicts, bad input and isolation.

use kaiten_testkit::spawn_app;
use serde_json::json;

use crate::support::{event_names, events};

#[tokio::test]
async fn components_are_created_read_listed_updated_and_deleted_with_events() {
    let app = spawn_app().await;
    let org = app.org("org_components").await;
    let t = Some(org.token.as_str());
    let created = app
        .core(
            "POST",
            "/components",
            t,
            Some(json!({"name": "API Gateway", "version": "v1.2.3", "description": "edge"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let c = &created.body;
    let slug = c["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("api-gateway-v1-2-3-"), "slug from name and version: {slug}");
    assert_eq!(
        (c["name"].as_str(), c["version"].as_str(), c["description"].as_str()),
        (Some("API Gateway"), Some("v1.2.3"), Some("edge"))
    );
    assert!(c.get("previousComponentId").is_none() && c.get("updatedAt").is_none());
    assert_eq!(c["createdBy"]["id"].as_str().map(str::len), Some(36));
    assert_eq!(app.core("GET", &format!("/components/{slug}"), t, None).await.body, created.body);

    // Unlinked: updated in place, slug included; leaving out the description keeps it.
    let put = app
        .core(
            "PUT",
            &format!("/components/{slug}"),
            t,
            Some(json!({"name": "gateway", "version": "v1.2.4", "slug": "gateway"})),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!((put.body["id"].clone(), put.body["slug"].as_str()), (c["id"].clone(), Some("gateway")));
    assert_eq!(put.body["description"], "edge");
    assert_eq!(app.core("GET", &format!("/components/{slug}"), t, None).await.code(), "Component.NotFound");
    let cleared = app
        .core("PUT", "/components/gateway", t, Some(json!({"name": "gateway", "version": "v1.2.4", "description": ""})))
        .await;
    assert!(cleared.body.get("description").is_none(), "{}", cleared.text);

    // Pages, newest first.
    let second =
        app.core("POST", "/components", t, Some(json!({"name": "worker", "version": "1", "slug": "worker"}))).await;
    assert_eq!(second.status, 201);
    let page = app.core("GET", "/components?limit=1", t, None).await.body;
    assert_eq!((page["items"][0]["slug"].as_str(), page["hasMore"].as_bool()), (Some("worker"), Some(true)));
    let cursor = page["nextCursor"].as_str().unwrap();
    let rest = app.core("GET", &format!("/components?limit=1&cursor={cursor}"), t, None).await.body;
    assert_eq!((rest["items"][0]["slug"].as_str(), rest["hasMore"].as_bool()), (Some("gateway"), Some(false)));

    assert_eq!(app.core("DELETE", "/components/worker", t, None).await.status, 204);
    assert_eq!(app.core("DELETE", "/components/worker", t, None).await.code(), "Component.NotFound");
    assert_eq!(
        event_names(&app, &org.id, "COMPONENT_").await,
        ["COMPONENT_CREATED", "COMPONENT_UPDATED", "COMPONENT_UPDATED", "COMPONENT_CREATED", "COMPONENT_DELETED"]
    );
    let deleted = events(&app, &org.id).await.into_iter().rfind(|e| e.0 == "COMPONENT_DELETED").unwrap();
    assert_eq!((deleted.1.as_str(), deleted.2["slug"].as_str()), ("com.kaiten.component.v1.deleted", Some("worker")));
}

#[tokio::test]
async fn a_linked_component_is_frozen_updates_become_its_next_version() {
    let app = spawn_app().await;
    let org = app.org("org_component_versions").await;
    let t = Some(org.token.as_str());
    let v1 = app
        .core(
            "POST",
            "/components",
            t,
            Some(json!({"name": "api", "version": "1.0", "slug": "api-1", "description": "d"})),
        )
        .await
        .body;
    let release =
        app.core("POST", "/releases", t, Some(json!({"version": "2026.1", "componentIds": [v1["id"]]}))).await;
    assert_eq!(release.status, 201, "{}", release.text);

    let same = app.core("PUT", "/components/api-1", t, Some(json!({"name": "api", "version": "1.0"}))).await;
    assert_eq!((same.status, same.code()), (400, "UpdateComponent.LinkedComponentRequiresNewVersion"), "{}", same.text);
    let next = app.core("PUT", "/components/api-1", t, Some(json!({"name": "api", "version": "1.1"}))).await;
    assert_eq!(next.status, 200, "{}", next.text);
    let v2 = &next.body;
    assert_ne!(v2["id"], v1["id"]);
    assert_eq!((v2["previousComponentId"].clone(), v2["version"].as_str()), (v1["id"].clone(), Some("1.1")));
    assert!(v2["slug"].as_str().unwrap().starts_with("api-1-1-"), "{v2}");
    assert_eq!(v2["description"], "d", "carried over");
    let old = app.core("GET", "/components/api-1", t, None).await.body;
    assert_eq!(
        (old["version"].as_str(), old["id"].clone()),
        (Some("1.0"), v1["id"].clone()),
        "the released version is untouched"
    );
    let linked = app.core("GET", &format!("/releases/{}", release.body["slug"].as_str().unwrap()), t, None).await.body;
    assert_eq!(linked["components"][0]["id"], v1["id"]);

    // The lineage is set once: echoing it is fine, changing it is not.
    let v2_slug = v2["slug"].as_str().unwrap();
    let mut echo = v2.clone();
    echo["description"] = json!("d2");
    assert_eq!(app.core("PUT", &format!("/components/{v2_slug}"), t, Some(echo.clone())).await.status, 200);
    echo["previousComponentId"] = json!(v2["id"]);
    let moved = app.core("PUT", &format!("/components/{v2_slug}"), t, Some(echo)).await;
    assert_eq!((moved.status, moved.code()), (422, "UpdateComponent.PreviousComponentNotSettable"));

    // Deriving at creation names a component of the organization.
    let derived = app
        .core("POST", "/components", t, Some(json!({"name": "api", "version": "2.0", "previousComponentId": v2["id"]})))
        .await;
    assert_eq!((derived.status, derived.body["previousComponentId"].clone()), (201, v2["id"].clone()));

    let refused = app.core("DELETE", "/components/api-1", t, None).await;
    assert_eq!((refused.status, refused.code()), (409, "DeleteComponent.LinkedComponentConflict"));
    assert!(refused.body["detail"].as_str().unwrap().contains("1 release(s)"));
    // Deleting a version its successor points at breaks the lineage, not the successor.
    assert_eq!(app.core("DELETE", &format!("/components/{v2_slug}"), t, None).await.status, 204);
    let orphan =
        app.core("GET", &format!("/components/{}", derived.body["slug"].as_str().unwrap()), t, None).await.body;
    assert!(orphan.get("previousComponentId").is_none(), "{orphan}");
    assert_eq!(
        event_names(&app, &org.id, "COMPONENT_").await,
        ["COMPONENT_CREATED", "COMPONENT_UPDATED", "COMPONENT_UPDATED", "COMPONENT_CREATED", "COMPONENT_DELETED"],
        "the new version is announced as an update, as in the original"
    );
}

#[tokio::test]
async fn component_conflicts_and_bad_input_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let org = app.org("org_component_errors").await;
    let other = app.org("org_component_errors_other").await;
    let t = Some(org.token.as_str());
    let theirs = app
        .core("POST", "/components", Some(&other.token), Some(json!({"name": "x", "version": "1", "slug": "theirs"})))
        .await
        .body;
    assert_eq!(
        app.core("POST", "/components", t, Some(json!({"name": "api", "version": "1", "slug": "api"}))).await.status,
        201
    );
    let long = "x".repeat(501);
    for (body, status, code) in [
        (json!({"name": "api", "version": "1"}), 409, "Component.NameVersionConflict"),
        (json!({"name": "api", "version": "2", "slug": "api"}), 409, "Component.SlugConflict"),
        (json!({"name": "api", "version": "3", "previousComponentId": theirs["id"]}), 404, "Component.NotFound"),
        (json!({"name": "api", "version": "3", "previousComponentId": "nope"}), 404, "Component.NotFound"),
        (json!({"name": "", "version": "1"}), 422, "UNPROCESSABLE"),
        (json!({"name": "api"}), 422, "UNPROCESSABLE"),
        (json!({"name": "api", "version": "4", "description": long}), 422, "UNPROCESSABLE"),
        (json!({"name": "api", "version": "4", "slug": "Not A Slug"}), 422, "UNPROCESSABLE"),
        (json!({"name": "api", "version": "4", "color": "red"}), 422, "UNPROCESSABLE"),
    ] {
        let reply = app.core("POST", "/components", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}: {}", reply.text);
    }
    assert_eq!(
        app.core("POST", "/components", t, Some(json!({"name": "api", "version": "2", "slug": "api-2"}))).await.status,
        201
    );
    let clash = app.core("PUT", "/components/api-2", t, Some(json!({"name": "api", "version": "1"}))).await;
    assert_eq!((clash.status, clash.code()), (409, "Component.NameVersionConflict"));
    let clash =
        app.core("PUT", "/components/api-2", t, Some(json!({"name": "api", "version": "2", "slug": "api"}))).await;
    assert_eq!((clash.status, clash.code()), (409, "Component.SlugConflict"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM component WHERE organization_id = $1::uuid")
        .bind(&org.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 2);

    // Another organization's component does not exist here, by slug or in a list.
    for (method, body) in [("GET", None), ("PUT", Some(json!({"name": "y", "version": "2"}))), ("DELETE", None)] {
        assert_eq!(app.core(method, "/components/theirs", t, body).await.code(), "Component.NotFound", "{method}");
    }
    let list = app.core("GET", "/components", t, None).await.body;
    assert!(list["items"].as_array().unwrap().iter().all(|c| c["slug"] != "theirs"));
    let still = app.core("GET", "/components/theirs", Some(&other.token), None).await.body;
    assert_eq!(still["name"], "x");
}
