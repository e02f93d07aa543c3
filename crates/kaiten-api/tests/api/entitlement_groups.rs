use serde_json::json;

use kaiten_testkit::spawn_app;

use crate::support::{entitlement, event_names, insert_instance, license, license_body};

#[tokio::test]
async fn groups_crud_and_membership_with_events() {
    let app = spawn_app().await;
    let org = app.org("org_groups").await;
    let t = Some(org.token.as_str());
    let created = app
        .core(
            "POST",
            "/entitlement-groups",
            t,
            Some(json!({"name": "AI Quotas", "slug": "ai", "description": "All AI"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.body,
        json!({"id": created.body["id"], "name": "AI Quotas", "slug": "ai", "description": "All AI"})
    );
    assert_eq!(app.core("GET", "/entitlement-groups/ai", t, None).await.body, created.body);
    let dup =
        app.core("POST", "/entitlement-groups", t, Some(json!({"name": "x", "slug": "ai", "description": null}))).await;
    assert_eq!((dup.status, dup.code()), (409, "CreateEntitlementGroup.SlugConflict"));

    let put = app.core("PUT", "/entitlement-groups/ai", t, Some(json!({"name": "AI", "description": null}))).await;
    assert_eq!(put.status, 204, "{}", put.text);
    let got = app.core("GET", "/entitlement-groups/ai", t, None).await.body;
    assert_eq!((got["name"].clone(), got["description"].clone()), (json!("AI"), json!(null)));
    let rename = app
        .core("PUT", "/entitlement-groups/ai", t, Some(json!({"name": "AI", "slug": "ml", "description": null})))
        .await;
    assert_eq!((rename.status, rename.code()), (422, "UpdateEntitlementGroup.SlugNotRenameable"));

    let tokens =
        entitlement(&app, &org, json!({"name": "Tokens", "slug": "tokens", "description": null, "type": "NUMBER"}))
            .await;
    let add =
        app.core("POST", "/entitlement-groups/ai/entitlements", t, Some(json!({"entitlementSlug": tokens}))).await;
    assert_eq!(add.status, 201, "{}", add.text);
    assert!(add.text.is_empty(), "201 with no body");
    let twice =
        app.core("POST", "/entitlement-groups/ai/entitlements", t, Some(json!({"entitlementSlug": tokens}))).await;
    assert_eq!((twice.status, twice.code()), (409, "AddEntitlementToGroup.AlreadyMember"));
    let e = app.core("GET", "/entitlements/tokens", t, None).await.body;
    assert_eq!(e["entitlementGroups"], json!([{"id": created.body["id"], "name": "AI", "slug": "ai"}]));
    for (path, body, code) in [
        (
            "/entitlement-groups/nope/entitlements",
            json!({"entitlementSlug": tokens}),
            "AddEntitlementToGroup.GroupNotFound",
        ),
        (
            "/entitlement-groups/ai/entitlements",
            json!({"entitlementSlug": "nope"}),
            "AddEntitlementToGroup.EntitlementNotFound",
        ),
    ] {
        let reply = app.core("POST", path, t, Some(body)).await;
        assert_eq!((reply.status, reply.code()), (404, code));
    }
    let missing = app.core("POST", "/entitlement-groups/ai/entitlements", t, Some(json!({}))).await;
    assert_eq!(missing.status, 422);

    assert_eq!(app.core("DELETE", "/entitlement-groups/ai/entitlements/tokens", t, None).await.status, 204);
    assert_eq!(app.core("GET", "/entitlements/tokens", t, None).await.body["entitlementGroups"], json!([]));
    let retried = app.core("DELETE", "/entitlement-groups/ai/entitlements/tokens", t, None).await;
    assert_eq!(retried.status, 204, "removing a non-member is a harmless retry");
    let unknown = app.core("DELETE", "/entitlement-groups/ai/entitlements/nope", t, None).await;
    assert_eq!((unknown.status, unknown.code()), (404, "RemoveEntitlementFromGroup.EntitlementNotFound"));
    let unknown = app.core("DELETE", "/entitlement-groups/nope/entitlements/tokens", t, None).await;
    assert_eq!((unknown.status, unknown.code()), (404, "RemoveEntitlementFromGroup.GroupNotFound"));

    // Deleting a group keeps its members.
    app.core("POST", "/entitlement-groups/ai/entitlements", t, Some(json!({"entitlementSlug": tokens}))).await;
    assert_eq!(app.core("DELETE", "/entitlement-groups/ai", t, None).await.status, 204);
    assert_eq!(app.core("GET", "/entitlement-groups/ai", t, None).await.code(), "GetEntitlementGroup.NotFound");
    assert_eq!(app.core("GET", "/entitlements/tokens", t, None).await.body["entitlementGroups"], json!([]));
    assert_eq!(app.core("DELETE", "/entitlement-groups/ai", t, None).await.code(), "DeleteEntitlementGroup.NotFound");
    let put = app.core("PUT", "/entitlement-groups/ai", t, Some(json!({"name": "AI", "description": null}))).await;
    assert_eq!(put.code(), "UpdateEntitlementGroup.NotFound");

    assert_eq!(
        event_names(&app, &org.id, "ENTITLEMENT").await,
        [
            "ENTITLEMENT_GROUP_CREATED",
            "ENTITLEMENT_GROUP_UPDATED",
            "ENTITLEMENT_CREATED",
            "ENTITLEMENT_UPDATED",
            "ENTITLEMENT_UPDATED",
            "ENTITLEMENT_UPDATED",
            "ENTITLEMENT_GROUP_DELETED",
            "ENTITLEMENT_UPDATED"
        ]
    );
}

#[tokio::test]
async fn group_list_pages_and_isolation() {
    let app = spawn_app().await;
    let a = app.org("org_groups_a").await;
    let b = app.org("org_groups_b").await;
    for i in 0..3 {
        let r = app
            .core(
                "POST",
                "/entitlement-groups",
                Some(&a.token),
                Some(json!({"name": format!("G{i}"), "description": null})),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let first = app.core("GET", "/entitlement-groups?limit=2", Some(&a.token), None).await.body;
    assert_eq!((first["items"].as_array().unwrap().len(), first["hasMore"].clone()), (2, json!(true)));
    let cursor = first["nextCursor"].as_str().unwrap();
    let second =
        app.core("GET", &format!("/entitlement-groups?limit=2&cursor={cursor}"), Some(&a.token), None).await.body;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second.get("nextCursor").is_none());
    assert_eq!(app.core("GET", "/entitlement-groups", Some(&b.token), None).await.body["items"], json!([]));
    let slug = first["items"][0]["slug"].as_str().unwrap();
    assert_eq!(app.core("GET", &format!("/entitlement-groups/{slug}"), Some(&b.token), None).await.status, 404);
    let bad = app.core("GET", "/entitlement-groups?cursor=zzz", Some(&a.token), None).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn group_usage_lists_every_member_for_an_instance_without_usage() {
    let app = spawn_app().await;
    let org = app.org("org_group_usage").await;
    let t = Some(org.token.as_str());
    app.core("POST", "/entitlement-groups", t, Some(json!({"name": "AI", "slug": "ai", "description": null}))).await;
    let tokens = entitlement(
        &app,
        &org,
        json!({"name": "Tokens", "slug": "tokens", "description": null, "type": "NUMBER",
                                                 "resetPeriod": "MONTH"}),
    )
    .await;
    let seats =
        entitlement(&app, &org, json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"})).await;
    let models =
        entitlement(&app, &org, json!({"name": "Models", "slug": "models", "description": null, "type": "CONFIG"}))
            .await;
    for e in [&tokens, &seats, &models] {
        app.core("POST", "/entitlement-groups/ai/entitlements", t, Some(json!({"entitlementSlug": e}))).await;
    }
    let plan = license(&app, &org, license_body("Pro")).await;
    let plan_slug = plan["slug"].as_str().unwrap();
    for (e, value) in [
        (&tokens, json!({"type": "number", "value": 1000})),
        (&models, json!({"type": "object", "value": {"gpt": true}})),
    ] {
        let r = app
            .core(
                "POST",
                &format!("/licenses/{plan_slug}/entitlements"),
                t,
                Some(json!({"entitlementSlug": e, "value": value})),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    insert_instance(&app, &org, plan_slug, "prod-eu").await.unwrap();

    let usage = app.core("GET", "/entitlement-groups/ai/usage?instance=prod-eu", t, None).await;
    assert_eq!(usage.status, 200, "{}", usage.text);
    let rows = usage.body.as_array().unwrap();
    let slugs: Vec<&str> = rows.iter().map(|r| r["entitlementSlug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["models", "seats", "tokens"], "every member, granted or not, in a stable order");
    let by = |s: &str| rows.iter().find(|r| r["entitlementSlug"] == s).unwrap().clone();
    let tokens_row = by("tokens");
    assert_eq!(tokens_row["licenseValue"], json!({"type": "number", "value": 1000}));
    assert_eq!(
        tokens_row["usageValue"],
        json!({"type": "number", "value": 0, "event_count": 0}),
        "a periodic counter starts at zero"
    );
    assert_eq!(tokens_row["entitlementType"], "NUMBER");
    let start = chrono::DateTime::parse_from_rfc3339(tokens_row["currentPeriodStart"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(tokens_row["currentPeriodEnd"].as_str().unwrap()).unwrap();
    use chrono::Datelike;
    assert_eq!((start.day(), end.day()), (1, 1), "a calendar month: from the 1st to the next 1st");
    let seats_row = by("seats");
    assert!(
        seats_row.get("licenseValue").is_none() && seats_row.get("usageValue").is_none(),
        "not granted, nothing reported"
    );
    assert!(seats_row.get("currentPeriodStart").is_none(), "a lifetime counter has no window");
    assert_eq!(by("models")["licenseValue"], json!({"type": "object", "value": {"gpt": true}}));

    let no_instance = app.core("GET", "/entitlement-groups/ai/usage?instance=nope", t, None).await;
    assert_eq!((no_instance.status, no_instance.code()), (404, "GetEntitlementGroupUsage.InstanceNotFound"));
    let no_group = app.core("GET", "/entitlement-groups/nope/usage?instance=prod-eu", t, None).await;
    assert_eq!((no_group.status, no_group.code()), (404, "GetEntitlementGroupUsage.GroupNotFound"));
    let no_param = app.core("GET", "/entitlement-groups/ai/usage", t, None).await;
    assert_eq!(no_param.status, 422);
    assert_eq!(no_param.body["errors"][0]["location"], "query.instance");

    let other = app.org("org_group_usage_other").await;
    app.core(
        "POST",
        "/entitlement-groups",
        Some(&other.token),
        Some(json!({"name": "AI", "slug": "ai", "description": null})),
    )
    .await;
    let foreign = app.core("GET", "/entitlement-groups/ai/usage?instance=prod-eu", Some(&other.token), None).await;
    assert_eq!(
        foreign.code(),
        "GetEntitlementGroupUsage.InstanceNotFound",
        "another tenant's instance does not exist here"
    );
}

#[tokio::test]
async fn concurrent_membership_changes_and_entitlement_updates_never_fail() {
    let app = spawn_app().await;
    let org = app.org("org_groups_race").await;
    let t = Some(org.token.as_str());
    for g in ["g-a", "g-b"] {
        app.core("POST", "/entitlement-groups", t, Some(json!({"name": g, "slug": g, "description": null}))).await;
    }
    let mut slugs = Vec::new();
    for i in 0..6 {
        slugs.push(
            entitlement(&app, &org, json!({"name": format!("E{i}"), "description": null, "type": "BOOLEAN"})).await,
        );
    }
    let requests: Vec<(&str, String, serde_json::Value)> = slugs
        .iter()
        .flat_map(|slug| {
            [
                (
                    "PUT",
                    format!("/entitlements/{slug}"),
                    json!({"name": "E", "description": null, "groupSlugs": ["g-a", "g-b"]}),
                ),
                ("POST", "/entitlement-groups/g-a/entitlements".to_owned(), json!({"entitlementSlug": slug})),
                ("POST", "/entitlement-groups/g-b/entitlements".to_owned(), json!({"entitlementSlug": slug})),
            ]
        })
        .collect();
    let work = requests.iter().map(|(method, path, body)| app.core(method, path, t, Some(body.clone())));
    for reply in futures_util::future::join_all(work).await {
        assert!(matches!(reply.status, 201 | 204 | 409), "{}: {}", reply.status, reply.text);
    }
    for slug in &slugs {
        let groups = &app.core("GET", &format!("/entitlements/{slug}"), t, None).await.body["entitlementGroups"];
        assert_eq!(groups.as_array().unwrap().len(), 2, "{slug}");
    }
}
