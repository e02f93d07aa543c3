use serde_json::{Value, json};

use kaiten_testkit::spawn_app;

use crate::support::{event_names, events, insert_instance, license, license_body};

/// The slug of the version the `pro` family serves.
async fn served(app: &kaiten_testkit::TestApp, token: Option<&str>) -> Value {
    app.core("GET", "/license-families/pro", token, None).await.body["currentVersion"]["slug"].clone()
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test]
async fn a_license_opens_a_family_and_versions_join_it() {
    let app = spawn_app().await;
    let org = app.org("org_lic_family").await;
    let t = Some(org.token.as_str());
    let v1 = license(&app, &org, with(license_body("Growth"), "slug", json!("growth"))).await;
    assert_eq!((v1["version"].as_str(), v1["versionName"].as_str()), (Some("1"), Some("Version - 1")));
    assert_eq!(v1["lifecycleState"], "PUBLISHED");
    assert!(v1.get("familySlug").is_none(), "familySlug is write-only");
    let family_id = v1["familyId"].as_str().unwrap();

    let v2 = license(&app, &org, with(license_body("Growth 2025"), "familySlug", json!("growth"))).await;
    assert_eq!((v2["slug"].as_str(), v2["version"].as_str()), (Some("growth-v2"), Some("2")));
    assert_eq!(v2["familyId"], json!(family_id));
    let v3 = license(
        &app,
        &org,
        with(with(license_body("Growth 2026"), "familyId", json!(family_id)), "lifecycleState", json!("DRAFT")),
    )
    .await;
    assert_eq!((v3["slug"].as_str(), v3["lifecycleState"].as_str()), (Some("growth-v3"), Some("DRAFT")));
    let both = license(
        &app,
        &org,
        with(
            with(with(license_body("G4"), "familyId", json!(family_id)), "familySlug", json!("growth")),
            "slug",
            json!("growth-next"),
        ),
    )
    .await;
    assert_eq!((both["slug"].as_str(), both["version"].as_str()), (Some("growth-next"), Some("4")));

    let fam = app.core("GET", "/license-families/growth", t, None).await;
    assert_eq!(fam.status, 200, "{}", fam.text);
    assert_eq!(
        (fam.body["versionCount"].clone(), fam.body["currentVersion"]["slug"].clone()),
        (json!(4), json!("growth-next"))
    );
    assert!(fam.body.get("versions").is_none());

    for (body, status, code) in [
        (with(license_body("x"), "familySlug", json!("nope")), 404, "CreateLicense.FamilyNotFound"),
        (
            with(license_body("x"), "familyId", json!("8b0f1d6e-0000-4000-8000-000000000000")),
            404,
            "CreateLicense.FamilyNotFound",
        ),
        (with(license_body("x"), "familyId", json!("not-a-uuid")), 404, "CreateLicense.FamilyNotFound"),
        (
            with(with(license_body("x"), "familyId", json!(family_id)), "familySlug", json!("other")),
            422,
            "CreateLicense.FamilyMismatch",
        ),
        (with(license_body("x"), "version", json!("7")), 422, "CreateLicense.VersionNotSettable"),
        (with(license_body("x"), "lifecycleState", json!("ARCHIVED")), 422, "CreateLicense.LifecycleStateNotSettable"),
        (
            with(with(license_body("x"), "lifecycleState", json!("DRAFT")), "isDefault", json!(true)),
            409,
            "CreateLicense.DefaultMustBePublished",
        ),
        (with(license_body("x"), "slug", json!("growth")), 409, "CreateLicense.SlugConflict"),
        (
            with(with(license_body("x"), "familySlug", json!("growth")), "slug", json!("growth-v2")),
            409,
            "CreateLicense.SlugConflict",
        ),
    ] {
        let reply = app.core("POST", "/licenses", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}: {}", reply.text);
    }
    let bad = app.core("POST", "/licenses", t, Some(with(license_body("x"), "type", json!("paid")))).await;
    assert_eq!((bad.status, bad.body["errors"][0]["location"].as_str()), (422, Some("body.type")));
    let next = license(&app, &org, with(license_body("G5"), "familySlug", json!("growth"))).await;
    assert_eq!(next["version"], "5", "refused creates consumed no number");

    let names = event_names(&app, &org.id, "LICENSE").await;
    assert_eq!(
        names,
        [
            "LICENSE_FAMILY_CREATED",
            "LICENSE_CREATED",
            "LICENSE_CREATED",
            "LICENSE_FAMILY_UPDATED",
            "LICENSE_CREATED",
            "LICENSE_CREATED",
            "LICENSE_FAMILY_UPDATED",
            "LICENSE_CREATED",
            "LICENSE_FAMILY_UPDATED"
        ]
    );
    let family_created = events(&app, &org.id).await.into_iter().find(|e| e.0 == "LICENSE_FAMILY_CREATED").unwrap();
    assert_eq!(family_created.1, "com.kaiten.license_family.v1.created");
    assert_eq!(
        (family_created.2["slug"].clone(), family_created.2["versionCount"].clone()),
        (json!("growth"), json!(1))
    );
}

#[tokio::test]
async fn lifecycle_moves_and_family_resolution() {
    let app = spawn_app().await;
    let org = app.org("org_lic_lifecycle").await;
    let t = Some(org.token.as_str());
    license(&app, &org, with(license_body("Pro"), "slug", json!("pro"))).await;
    license(
        &app,
        &org,
        with(with(license_body("Pro 2"), "familySlug", json!("pro")), "lifecycleState", json!("DRAFT")),
    )
    .await;
    assert_eq!(served(&app, t).await, "pro", "a draft is never served");

    let published = app.core("POST", "/licenses/pro-v2/publish", t, None).await;
    assert_eq!((published.status, published.body["lifecycleState"].as_str()), (200, Some("PUBLISHED")));
    assert_eq!(served(&app, t).await, "pro-v2", "without a default the highest published version is served");
    for (path, code, hint) in [
        ("/licenses/pro-v2/publish", "PublishLicense.NotADraft", "already published"),
        ("/licenses/pro-v2/unarchive", "UnarchiveLicense.NotArchived", "is not archived"),
    ] {
        let reply = app.core("POST", path, t, None).await;
        assert_eq!((reply.status, reply.code()), (409, code));
        assert!(reply.body["detail"].as_str().unwrap().contains(hint), "{}", reply.text);
    }

    // The default is served ahead of a newer version, and cannot be archived.
    let mut v1 = app.core("GET", "/licenses/pro", t, None).await.body;
    v1["isDefault"] = json!(true);
    assert_eq!(app.core("PUT", "/licenses/pro", t, Some(v1.clone())).await.status, 204);
    assert_eq!(served(&app, t).await, "pro");
    let refused = app.core("POST", "/licenses/pro/archive", t, None).await;
    assert_eq!((refused.status, refused.code()), (409, "ArchiveLicense.DefaultMustBePublished"));
    // Making v2 the default takes the flag from v1.
    let mut v2 = app.core("GET", "/licenses/pro-v2", t, None).await.body;
    v2["isDefault"] = json!(true);
    assert_eq!(app.core("PUT", "/licenses/pro-v2", t, Some(v2)).await.status, 204);
    assert_eq!(app.core("GET", "/licenses/pro", t, None).await.body["isDefault"], false);
    assert_eq!(served(&app, t).await, "pro-v2");

    let archived = app.core("POST", "/licenses/pro/archive", t, None).await;
    assert_eq!((archived.status, archived.body["lifecycleState"].as_str()), (200, Some("ARCHIVED")));
    let again = app.core("POST", "/licenses/pro/archive", t, None).await;
    assert_eq!((again.status, again.code()), (409, "ArchiveLicense.NotPublished"));
    let publish_archived = app.core("POST", "/licenses/pro/publish", t, None).await;
    assert!(publish_archived.body["detail"].as_str().unwrap().contains("unarchive"), "{}", publish_archived.text);
    let default_archived = app.core("PUT", "/licenses/pro", t, Some(v1)).await;
    assert_eq!(default_archived.code(), "UpdateLicense.LifecycleStateNotSettable", "the echo carries PUBLISHED");
    let mut archived_echo = app.core("GET", "/licenses/pro", t, None).await.body;
    archived_echo["isDefault"] = json!(true);
    let default_archived = app.core("PUT", "/licenses/pro", t, Some(archived_echo)).await;
    assert_eq!((default_archived.status, default_archived.code()), (409, "UpdateLicense.DefaultMustBePublished"));
    let unarchived = app.core("POST", "/licenses/pro/unarchive", t, None).await;
    assert_eq!((unarchived.status, unarchived.body["lifecycleState"].as_str()), (200, Some("PUBLISHED")));
    for path in ["/licenses/nope/publish", "/licenses/nope/archive", "/licenses/nope/unarchive"] {
        assert_eq!(app.core("POST", path, t, None).await.status, 404, "{path}");
    }
    let draft = license(
        &app,
        &org,
        with(with(license_body("Pro 3"), "familySlug", json!("pro")), "lifecycleState", json!("DRAFT")),
    )
    .await;
    let archive_draft =
        app.core("POST", &format!("/licenses/{}/archive", draft["slug"].as_str().unwrap()), t, None).await;
    assert!(archive_draft.body["detail"].as_str().unwrap().contains("delete it instead"));

    let names = event_names(&app, &org.id, "LICENSE_").await;
    assert!(names.contains(&"LICENSE_PUBLISHED".to_owned()) && names.contains(&"LICENSE_ARCHIVED".to_owned()));
    assert!(names.contains(&"LICENSE_UNARCHIVED".to_owned()));
    let family_updates = names.iter().filter(|n| *n == "LICENSE_FAMILY_UPDATED").count();
    // publish v2 (pro → pro-v2), default v1 (→ pro), default v2 (→ pro-v2); archive/unarchive of
    // a version that is not served change nothing the family serves.
    assert_eq!(family_updates, 3, "{names:?}");
}

#[tokio::test]
async fn family_reads_pin_versions_and_include_history() {
    let app = spawn_app().await;
    let org = app.org("org_lic_reads").await;
    let t = Some(org.token.as_str());
    license(&app, &org, with(with(license_body("Team"), "slug", json!("team")), "lifecycleState", json!("DRAFT")))
        .await;
    license(
        &app,
        &org,
        with(with(license_body("Team 2"), "familySlug", json!("team")), "lifecycleState", json!("DRAFT")),
    )
    .await;
    let unresolved = app.core("GET", "/license-families/team", t, None).await;
    assert_eq!((unresolved.status, unresolved.code()), (404, "GetLicenseFamily.NoPublishedVersion"));
    let history = app.core("GET", "/license-families/team?include=versions", t, None).await;
    assert_eq!(history.status, 200, "{}", history.text);
    assert!(history.body.get("currentVersion").is_none());
    let versions: Vec<&str> =
        history.body["versions"].as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["1", "2"], "oldest first");
    let pinned = app.core("GET", "/license-families/team?version=2", t, None).await;
    assert_eq!(
        (pinned.status, pinned.body["currentVersion"]["slug"].as_str()),
        (200, Some("team-v2")),
        "a pin reads drafts too"
    );
    let both = app.core("GET", "/license-families/team?version=1&include=versions,versions", t, None).await;
    assert_eq!(
        (both.body["currentVersion"]["version"].as_str(), both.body["versionCount"].clone()),
        (Some("1"), json!(2))
    );
    for (query, status, code) in [
        ("?version=3", 404, "GetLicenseFamily.VersionNotFound"),
        ("?version=0", 422, "UNPROCESSABLE"),
        ("?version=two", 422, "UNPROCESSABLE"),
        ("?include=prices", 422, "UNPROCESSABLE"),
    ] {
        let reply = app.core("GET", &format!("/license-families/team{query}"), t, None).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{query}");
    }
    assert_eq!(app.core("GET", "/license-families/nope", t, None).await.code(), "GetLicenseFamily.NotFound");
    assert_eq!(app.core("GET", "/license-families/nope?version=1", t, None).await.code(), "GetLicenseFamily.NotFound");

    license(&app, &org, with(license_body("Solo"), "slug", json!("solo"))).await;
    let list = app.core("GET", "/license-families?limit=1", t, None).await.body;
    assert_eq!(list["items"][0]["slug"], "solo", "newest first");
    assert_eq!(list["items"][0]["currentVersion"]["slug"], "solo");
    let next = list["nextCursor"].as_str().unwrap();
    let rest = app.core("GET", &format!("/license-families?limit=1&cursor={next}"), t, None).await.body;
    assert_eq!(rest["items"][0]["slug"], "team");
    assert!(rest["items"][0].get("currentVersion").is_none(), "listed even with nothing published");
    assert_eq!(rest["items"][0]["versionCount"], 2);

    let licenses = app.core("GET", "/licenses", t, None).await.body;
    assert_eq!(licenses["items"].as_array().unwrap().len(), 3, "every version, whatever its state");
    assert_eq!(app.core("GET", "/licenses/team-v2", t, None).await.body["versionName"], "Version - 2");
    assert_eq!(app.core("GET", "/licenses/nope", t, None).await.code(), "GetLicense.NotFound");
}

#[tokio::test]
async fn update_accepts_echoes_and_refuses_changes_to_what_it_does_not_change() {
    let app = spawn_app().await;
    let org = app.org("org_lic_update").await;
    let t = Some(org.token.as_str());
    let v1 = license(&app, &org, with(license_body("Scale"), "slug", json!("scale"))).await;
    let mut echo = v1.clone();
    echo["name"] = json!("Scale (legacy)");
    echo["versionName"] = json!("Launch");
    let put = app.core("PUT", "/licenses/scale", t, Some(echo)).await;
    assert_eq!(put.status, 204, "{}", put.text);
    let got = app.core("GET", "/licenses/scale", t, None).await.body;
    assert_eq!((got["name"].as_str(), got["versionName"].as_str()), (Some("Scale (legacy)"), Some("Launch")));
    let cleared = app.core("PUT", "/licenses/scale", t, Some(license_body("Scale"))).await;
    assert_eq!(cleared.status, 204);
    assert_eq!(
        app.core("GET", "/licenses/scale", t, None).await.body["versionName"],
        "Version - 1",
        "an omitted name takes the default"
    );
    for (body, code) in [
        (with(license_body("x"), "slug", json!("other")), "UpdateLicense.SlugNotRenameable"),
        (with(license_body("x"), "familySlug", json!("scale")), "UpdateLicense.FamilyNotReassignable"),
        (
            with(license_body("x"), "familyId", json!("8b0f1d6e-0000-4000-8000-000000000000")),
            "UpdateLicense.FamilyNotReassignable",
        ),
        (with(license_body("x"), "version", json!("2")), "UpdateLicense.VersionNotSettable"),
        (with(license_body("x"), "lifecycleState", json!("DRAFT")), "UpdateLicense.LifecycleStateNotSettable"),
    ] {
        let reply = app.core("PUT", "/licenses/scale", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (422, code), "{body}");
    }
    let missing = app.core("PUT", "/licenses/nope", t, Some(license_body("x"))).await;
    assert_eq!((missing.status, missing.code()), (404, "UpdateLicense.NotFound"));
    assert_eq!(event_names(&app, &org.id, "LICENSE_UPDATED").await.len(), 2);
}

#[tokio::test]
async fn delete_refuses_a_license_in_use_and_frees_an_emptied_family() {
    let app = spawn_app().await;
    let org = app.org("org_lic_delete").await;
    let t = Some(org.token.as_str());
    license(&app, &org, with(license_body("Edge"), "slug", json!("edge"))).await;
    license(&app, &org, with(license_body("Edge 2"), "familySlug", json!("edge"))).await;
    insert_instance(&app, &org, "edge", "edge-prod").await.unwrap();
    let refused = app.core("DELETE", "/licenses/edge", t, None).await;
    assert_eq!((refused.status, refused.code()), (409, "DeleteLicense.InUseConflict"));
    assert_eq!(refused.body["errors"][0]["value"], json!({"instances": 1, "licenseGrants": 0}));

    // Deleting the highest version frees nothing: the next version is 3, not 2 again.
    assert_eq!(app.core("DELETE", "/licenses/edge-v2", t, None).await.status, 204);
    let v3 = license(&app, &org, with(license_body("Edge 3"), "familySlug", json!("edge"))).await;
    assert_eq!((v3["slug"].as_str(), v3["version"].as_str()), (Some("edge-v3"), Some("3")));

    sqlx::query("DELETE FROM instance").execute(&app.pool).await.unwrap();
    assert_eq!(app.core("DELETE", "/licenses/edge", t, None).await.status, 204);
    assert_eq!(app.core("DELETE", "/licenses/edge-v3", t, None).await.status, 204);
    assert_eq!(
        app.core("GET", "/license-families/edge?include=versions", t, None).await.code(),
        "GetLicenseFamily.NotFound"
    );
    let reborn = license(&app, &org, with(license_body("Edge again"), "slug", json!("edge"))).await;
    assert_eq!(reborn["version"], "1", "the slug is free again, for a new product");
    assert_eq!(app.core("DELETE", "/licenses/nope", t, None).await.code(), "DeleteLicense.NotFound");
    let names = event_names(&app, &org.id, "LICENSE").await;
    assert_eq!(names.iter().filter(|n| *n == "LICENSE_DELETED").count(), 3);
    assert_eq!(names.iter().filter(|n| *n == "LICENSE_FAMILY_DELETED").count(), 1);
}

#[tokio::test]
async fn an_archived_version_cannot_be_put_on_an_instance_but_keeps_its_instances() {
    let app = spawn_app().await;
    let org = app.org("org_lic_archived").await;
    let t = Some(org.token.as_str());
    license(&app, &org, with(license_body("Basic"), "slug", json!("basic"))).await;
    license(
        &app,
        &org,
        with(with(license_body("Basic 2"), "familySlug", json!("basic")), "lifecycleState", json!("DRAFT")),
    )
    .await;
    insert_instance(&app, &org, "basic", "kept").await.unwrap();
    insert_instance(&app, &org, "basic-v2", "on-a-draft").await.expect("a draft may be assigned, to test it");
    assert_eq!(app.core("POST", "/licenses/basic/archive", t, None).await.status, 200);
    let err = insert_instance(&app, &org, "basic", "new").await.unwrap_err();
    let db = err.as_database_error().expect("a database error");
    assert_eq!((db.code().as_deref(), db.constraint()), (Some("23514"), Some("instance_license_not_archived")));
    let kept: i64 =
        sqlx::query_scalar("SELECT count(*) FROM instance WHERE slug = 'kept'").fetch_one(&app.pool).await.unwrap();
    assert_eq!(kept, 1);
}

#[tokio::test]
async fn organizations_never_see_each_others_licenses() {
    let app = spawn_app().await;
    let a = app.org("org_lic_iso_a").await;
    let b = app.org("org_lic_iso_b").await;
    let v1 = license(&app, &a, with(license_body("Core"), "slug", json!("core"))).await;
    let bt = Some(b.token.as_str());
    assert_eq!(app.core("GET", "/licenses/core", bt, None).await.status, 404);
    assert_eq!(app.core("GET", "/license-families/core", bt, None).await.status, 404);
    assert_eq!(app.core("GET", "/licenses", bt, None).await.body["items"], json!([]));
    assert_eq!(app.core("GET", "/license-families", bt, None).await.body["items"], json!([]));
    for path in ["/licenses/core/publish", "/licenses/core/archive"] {
        assert_eq!(app.core("POST", path, bt, None).await.status, 404);
    }
    assert_eq!(app.core("DELETE", "/licenses/core", bt, None).await.status, 404);
    let join =
        app.core("POST", "/licenses", bt, Some(with(license_body("x"), "familyId", v1["familyId"].clone()))).await;
    assert_eq!(join.code(), "CreateLicense.FamilyNotFound", "another tenant's family does not exist here");
    let own = license(&app, &b, with(license_body("Core"), "slug", json!("core"))).await;
    assert_eq!(own["version"], "1");
}
