//! Releases over HTTP: immutable component sets, their conflicts and bad input, the delete
//! guard while a zone runs one, and isolation.

use kaiten_testkit::{Org, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::support::{event_names, events};

async fn component(app: &TestApp, org: &Org, name: &str) -> Value {
    let reply = app.core("POST", "/components", Some(&org.token), Some(json!({"name": name, "version": "1"}))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn count(app: &TestApp, table: &str, org: &Org) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table} WHERE organization_id = $1::uuid")))
        .bind(&org.id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn releases_are_created_with_their_components_read_listed_and_deleted() {
    let app = spawn_app().await;
    let org = app.org("org_releases").await;
    let t = Some(org.token.as_str());
    let (api, web) = (component(&app, &org, "api").await, component(&app, &org, "web").await);
    let created = app
        .core(
            "POST",
            "/releases",
            t,
            Some(json!({"version": "Release v1.2.3", "description": "first", "componentIds": [web["id"], api["id"], web["id"]]})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let r = &created.body;
    let slug = r["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("release-v1-2-3-"), "slug from the version: {slug}");
    assert!(r.get("componentIds").is_none(), "write-only");
    let ids: Vec<&Value> = r["components"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!(ids, [&web["id"], &api["id"]], "de-duplicated, in the order given");
    assert_eq!(r["components"][1], api, "whole components");
    assert_eq!(app.core("GET", &format!("/releases/{slug}"), t, None).await.body, created.body);

    let bare = app.core("POST", "/releases", t, Some(json!({"version": "2", "slug": "bare"}))).await;
    assert_eq!((bare.status, bare.body["components"].clone()), (201, json!([])), "{}", bare.text);
    let page = app.core("GET", "/releases?limit=1", t, None).await.body;
    assert_eq!((page["items"][0]["slug"].as_str(), page["hasMore"].as_bool()), (Some("bare"), Some(true)));
    let rest =
        app.core("GET", &format!("/releases?cursor={}", page["nextCursor"].as_str().unwrap()), t, None).await.body;
    assert_eq!(rest["items"][0]["components"].as_array().unwrap().len(), 2, "lists carry components too");

    // Immutable: there is no update.
    assert_eq!(app.core("PUT", &format!("/releases/{slug}"), t, Some(json!({"version": "x"}))).await.status, 405);

    assert_eq!(app.core("DELETE", &format!("/releases/{slug}"), t, None).await.status, 204);
    assert_eq!(app.core("GET", &format!("/releases/{slug}"), t, None).await.code(), "Release.NotFound");
    assert_eq!(app.core("DELETE", &format!("/releases/{slug}"), t, None).await.code(), "DeleteRelease.NotFound");
    assert_eq!(
        app.core("GET", &format!("/components/{}", api["slug"].as_str().unwrap()), t, None).await.status,
        200,
        "components stay"
    );
    assert_eq!(
        app.core("DELETE", &format!("/components/{}", api["slug"].as_str().unwrap()), t, None).await.status,
        204,
        "and are free again"
    );
    assert_eq!(event_names(&app, &org.id, "RELEASE_").await, ["RELEASE_CREATED", "RELEASE_CREATED", "RELEASE_DELETED"]);
    let all = events(&app, &org.id).await;
    let created_event = all.iter().find(|e| e.0 == "RELEASE_CREATED").unwrap();
    assert_eq!(
        (created_event.1.as_str(), created_event.2["components"].as_array().map(Vec::len)),
        ("com.kaiten.release.v1.created", Some(2))
    );
    let deleted_event = all.iter().find(|e| e.0 == "RELEASE_DELETED").unwrap();
    assert_eq!(
        (deleted_event.2["slug"].as_str(), deleted_event.2["components"].as_array().map(Vec::len)),
        (Some(slug.as_str()), Some(2))
    );
}

#[tokio::test]
async fn unknown_or_foreign_components_and_conflicts_write_nothing() {
    let app = spawn_app().await;
    let org = app.org("org_release_errors").await;
    let other = app.org("org_release_errors_other").await;
    let t = Some(org.token.as_str());
    let mine = component(&app, &org, "api").await;
    let theirs = component(&app, &other, "api").await;
    assert_eq!(app.core("POST", "/releases", t, Some(json!({"version": "1.0", "slug": "one"}))).await.status, 201);
    for (body, status, code) in [
        (json!({"version": "2.0", "componentIds": [mine["id"], theirs["id"]]}), 404, "Component.NotFound"),
        (
            json!({"version": "2.0", "componentIds": ["8b0f1d6e-0000-4000-8000-000000000000"]}),
            404,
            "Component.NotFound",
        ),
        (json!({"version": "2.0", "componentIds": ["not-a-uuid"]}), 404, "Component.NotFound"),
        (json!({"version": "1.0"}), 409, "CreateRelease.VersionConflict"),
        (json!({"version": "3.0", "slug": "one"}), 409, "CreateRelease.SlugConflict"),
        (json!({"version": ""}), 422, "UNPROCESSABLE"),
        (json!({"version": "x".repeat(101)}), 422, "UNPROCESSABLE"),
        (json!({"version": "4.0", "componentIds": "api"}), 422, "UNPROCESSABLE"),
        (json!({"version": "4.0", "tags": []}), 422, "UNPROCESSABLE"),
    ] {
        let reply = app.core("POST", "/releases", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}: {}", reply.text);
    }
    let missing =
        app.core("POST", "/releases", t, Some(json!({"version": "2.0", "componentIds": [theirs["id"]]}))).await;
    assert_eq!(missing.body["detail"], format!("Component with ID {} not found", theirs["id"].as_str().unwrap()));
    assert_eq!((count(&app, "release", &org).await, count(&app, "component_release", &org).await), (1, 0));
    assert_eq!(event_names(&app, &org.id, "RELEASE_").await, ["RELEASE_CREATED"]);
    // A null component list is no components.
    let null = app.core("POST", "/releases", t, Some(json!({"version": "5.0", "componentIds": null}))).await;
    assert_eq!((null.status, null.body["components"].clone()), (201, json!([])), "{}", null.text);

    // Another organization's release does not exist here.
    let foreign =
        app.core("POST", "/releases", Some(&other.token), Some(json!({"version": "9", "slug": "theirs"}))).await;
    assert_eq!(foreign.status, 201);
    assert_eq!(app.core("GET", "/releases/theirs", t, None).await.code(), "Release.NotFound");
    assert_eq!(app.core("DELETE", "/releases/theirs", t, None).await.code(), "DeleteRelease.NotFound");
    assert!(
        app.core("GET", "/releases", t, None).await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["slug"] != "theirs")
    );
    assert_eq!(app.core("GET", "/releases/theirs", Some(&other.token), None).await.status, 200);
}

#[tokio::test]
async fn a_release_a_zone_runs_cannot_be_deleted_and_deleting_one_drops_its_history() {
    let app = spawn_app().await;
    let org = app.org("org_release_in_use").await;
    let t = Some(org.token.as_str());
    let old = app.core("POST", "/releases", t, Some(json!({"version": "1", "slug": "r1"}))).await.body;
    let new = app.core("POST", "/releases", t, Some(json!({"version": "2", "slug": "r2"}))).await.body;
    let zone = json!({"name": "EU", "slug": "eu", "type": "production", "description": "", "releaseId": old["id"]});
    assert_eq!(app.core("POST", "/deployment-zones", t, Some(zone.clone())).await.status, 201);
    let refused = app.core("DELETE", "/releases/r1", t, None).await;
    assert_eq!((refused.status, refused.code()), (409, "DeleteRelease.InUseConflict"), "{}", refused.text);
    let mut moved = zone.clone();
    moved["releaseId"] = new["id"].clone();
    assert_eq!(app.core("PUT", "/deployment-zones/eu", t, Some(moved)).await.status, 204);
    assert_eq!(count(&app, "deployment", &org).await, 2);
    assert_eq!(app.core("DELETE", "/releases/r1", t, None).await.status, 204, "no zone runs it any more");
    let history: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT release_id FROM deployment WHERE organization_id = $1::uuid")
            .bind(&org.id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(history, [new["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap()], "its deployments went with it");
    assert_eq!(app.core("DELETE", "/releases/r2", t, None).await.code(), "DeleteRelease.InUseConflict");
}
