use serde_json::json;

use kaiten_testkit::spawn_app;

#[tokio::test]
async fn me_describes_the_platform_credential() {
    let app = spawn_app().await;
    let me = app.platform("GET", "/platform/me", Some(&app.platform_token), None).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["subject"], "system:kaiten");
    assert_eq!(me.body["credentialKind"], "platform");
    assert_eq!(me.body["name"], "test-platform");
    assert_eq!(me.body["scopes"].as_array().unwrap().len(), 29);
    assert!(me.body.get("expiresAt").is_none());
}

#[tokio::test]
async fn ensure_organization_is_idempotent_and_deterministic() {
    let app = spawn_app().await;
    let t = Some(app.platform_token.as_str());
    let first = app
        .platform("POST", "/platform/organizations", t, Some(json!({"externalId": "org_2abc", "name": "Acme"})))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["id"], json!(kaiten_kernel::external_id::organization_id("org_2abc")));
    let again = app
        .platform("POST", "/platform/organizations", t, Some(json!({"externalId": "org_2abc", "name": "Other"})))
        .await;
    assert_eq!(again.body, first.body, "an existing name is never replaced");
    let unnamed = app.platform("POST", "/platform/organizations", t, Some(json!({"externalId": "org_plain"}))).await;
    assert_eq!(unnamed.body["name"], "org_plain");
    let id = first.body["id"].as_str().unwrap();
    assert_eq!(app.platform("GET", &format!("/platform/organizations/{id}"), t, None).await.body, first.body);
    let missing = app.platform("GET", &format!("/platform/organizations/{}", uuid::Uuid::new_v4()), t, None).await;
    assert_eq!((missing.status, missing.code()), (404, "Organization.NotFound"));
    let bad = app.platform("GET", "/platform/organizations/not-a-uuid", t, None).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["errors"][0]["location"], "path.orgId");
    let invalid = app.platform("POST", "/platform/organizations", t, Some(json!({"externalId": ""}))).await;
    assert_eq!(invalid.status, 422);
}

#[tokio::test]
async fn minting_respects_the_minter_and_records_an_event_without_the_secret() {
    let app = spawn_app().await;
    let org = app.org("org_mint").await;
    let path = format!("/platform/organizations/{}/tokens", org.id);
    let (limited, limited_secret) = kaiten_api::modules::platform::credentials::create(
        &app.pool,
        "limited",
        Some(vec!["write:tokens".into(), "read:customers".into()]),
        None,
    )
    .await
    .unwrap();
    assert_eq!(limited.name, "limited");
    let over = app
        .platform("POST", &path, Some(&limited_secret), Some(json!({"name": "x", "scopes": ["write:customers"]})))
        .await;
    assert_eq!((over.status, over.code()), (403, "MintOrganizationToken.ScopesExceedCredential"));
    let inherited = app.platform("POST", &path, Some(&limited_secret), Some(json!({"name": "inherit"}))).await;
    assert_eq!(inherited.status, 201, "{}", inherited.text);
    assert_eq!(inherited.body["scopes"], json!(["write:tokens", "read:customers"]));
    assert!(inherited.body["slug"].as_str().unwrap().starts_with("system-kaiten-"));
    let bad_ttl =
        app.platform("POST", &path, Some(&app.platform_token), Some(json!({"name": "y", "ttl": "forever"}))).await;
    assert_eq!((bad_ttl.status, bad_ttl.code()), (400, "MintOrganizationToken.InvalidTTL"));
    let short =
        app.platform("POST", &path, Some(&app.platform_token), Some(json!({"name": "short", "ttl": "15m"}))).await;
    let expires = chrono::DateTime::parse_from_rfc3339(short.body["expiresAt"].as_str().unwrap()).unwrap();
    let minutes = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((14..=15).contains(&minutes), "{minutes}");
    let unknown_org = format!("/platform/organizations/{}/tokens", uuid::Uuid::new_v4());
    assert_eq!(
        app.platform("POST", &unknown_org, Some(&app.platform_token), Some(json!({"name": "z"}))).await.status,
        404
    );

    let events: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT data FROM outbox_events WHERE organization_id = $1::uuid AND event_name = 'SYSTEM_ORGANIZATION_TOKEN_ISSUED'",
    )
    .bind(&org.id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 3, "the org's default token, inherit and short");
    let secret = inherited.body["token"].as_str().unwrap();
    assert!(events.iter().all(|e| !e.to_string().contains(secret) && e["credentialKind"] == "platform"));

    // Each credential lists and revokes only what it minted.
    let mine = app.platform("GET", &path, Some(&limited_secret), None).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    let slug = inherited.body["slug"].as_str().unwrap();
    let other = app.platform("DELETE", &format!("{path}/{slug}"), Some(&app.platform_token), None).await;
    assert_eq!((other.status, other.code()), (404, "RevokeOrganizationToken.NotFound"));
    assert_eq!(app.core("GET", "/customers", Some(secret), None).await.status, 200);
    assert_eq!(app.platform("DELETE", &format!("{path}/{slug}"), Some(&limited_secret), None).await.status, 204);
    assert_eq!(app.core("GET", "/customers", Some(secret), None).await.status, 401);
}

#[tokio::test]
async fn revoking_a_platform_credential_revokes_what_it_minted() {
    let app = spawn_app().await;
    let org = app.org("org_cascade").await;
    assert_eq!(app.core("GET", "/customers", Some(&org.token), None).await.status, 200);
    let revoked = kaiten_api::modules::platform::credentials::revoke(&app.pool, "test-platform").await.unwrap();
    assert_eq!(revoked, 2, "the credential and the token it minted");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reply = app.core("GET", "/customers", Some(&org.token), None).await;
    assert_eq!(reply.status, 401, "evicted through LISTEN/NOTIFY");
    let reply = app.platform("GET", "/platform/me", Some(&app.platform_token), None).await;
    assert_eq!((reply.status, reply.code()), (401, "Auth.InvalidPlatformToken"));
}

#[tokio::test]
async fn deleting_an_organization_removes_everything_it_owns() {
    let app = spawn_app().await;
    let org = app.org("org_doomed").await;
    let keep = app.org("org_kept").await;
    for o in [&org, &keep] {
        let r = app.core("POST", "/customers", Some(&o.token), Some(json!({"name": "c"}))).await;
        assert_eq!(r.status, 201);
        let r = app.core("POST", "/service-accounts", Some(&o.token), Some(json!({"name": "sa"}))).await;
        assert_eq!(r.status, 201);
    }
    // A whole catalog with an instance and a usage counter: everything the cascade must reach.
    let seats = crate::support::entitlement(
        &app,
        &org,
        json!({"name": "Seats", "slug": "seats", "description": null,
                                                              "type": "NUMBER", "groupSlugs": []}),
    )
    .await;
    let group = app
        .core("POST", "/entitlement-groups", Some(&org.token), Some(json!({"name": "g", "description": null})))
        .await;
    let group_slug = group.body["slug"].as_str().unwrap();
    let member = app
        .core(
            "POST",
            &format!("/entitlement-groups/{group_slug}/entitlements"),
            Some(&org.token),
            Some(json!({"entitlementSlug": seats})),
        )
        .await;
    assert_eq!(member.status, 201);
    crate::support::license(
        &app,
        &org,
        json!({"name": "P", "slug": "plan", "description": "d", "type": "PAID", "isDefault": false}),
    )
    .await;
    let grant = app
        .core(
            "POST",
            "/licenses/plan/entitlements",
            Some(&org.token),
            Some(json!({"entitlementSlug": seats, "value": {"type": "number", "value": 5}})),
        )
        .await;
    assert_eq!(grant.status, 204);
    crate::support::insert_instance(&app, &org, "plan", "prod").await.unwrap();
    sqlx::query(
        "INSERT INTO entitlement_usage (instance_id, entitlement_id, organization_id, value)
         SELECT i.id, e.id, i.organization_id, '{\"type\":\"number\",\"value\":1,\"event_count\":1}'
           FROM instance i JOIN entitlement e ON e.organization_id = i.organization_id WHERE i.organization_id = $1::uuid",
    )
    .bind(&org.id)
    .execute(&app.pool)
    .await
    .unwrap();
    let path = format!("/platform/organizations/{}", org.id);
    assert_eq!(app.platform("DELETE", &path, Some(&app.platform_token), None).await.status, 204);
    assert_eq!(app.platform("GET", &path, Some(&app.platform_token), None).await.status, 404);
    assert_eq!(app.platform("DELETE", &path, Some(&app.platform_token), None).await.status, 404);
    assert_eq!(app.core("GET", "/customers", Some(&org.token), None).await.status, 401);
    for table in [
        "customer",
        "token",
        "outbox_events",
        "membership",
        "entitlement",
        "entitlement_group",
        "entitlement_group_membership",
        "license_family",
        "license",
        "license_entitlement",
        "instance",
        "entitlement_usage",
    ] {
        let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {table} WHERE organization_id = $1::uuid"
        )))
        .bind(&org.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(left, 0, "{table}");
    }
    let machines: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE organization_id = $1::uuid")
        .bind(&org.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(machines, 0);
    assert_eq!(app.core("GET", "/customers", Some(&keep.token), None).await.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn removed_members_and_deleted_users_are_refused_and_system_is_protected() {
    let app = spawn_app().await;
    let t = Some(app.platform_token.as_str());
    let org = app.org("org_people").await;
    let jwt = app.jwt("user_gone", "org_people", &["read:customers"]);
    assert_eq!(app.core("GET", "/customers", Some(&jwt), None).await.status, 200);
    let user = kaiten_kernel::external_id::user_id("user_gone");
    let membership = format!("/platform/organizations/{}/memberships/{user}", org.id);
    assert_eq!(app.platform("DELETE", &membership, t, None).await.status, 204);
    let refused = app.core("GET", "/customers", Some(&jwt), None).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.MembershipDeleted"));
    let system = format!("/platform/organizations/{}/memberships/00000000-0000-0000-0000-000000000001", org.id);
    assert_eq!(app.platform("DELETE", &system, t, None).await.status, 403);
    let nobody = format!("/platform/organizations/{}/memberships/{}", org.id, uuid::Uuid::new_v4());
    assert_eq!(app.platform("DELETE", &nobody, t, None).await.status, 404);

    let other_jwt = app.jwt("user_deleted", "org_people", &["read:customers"]);
    assert_eq!(app.core("GET", "/customers", Some(&other_jwt), None).await.status, 200);
    let deleted = format!("/platform/users/{}", kaiten_kernel::external_id::user_id("user_deleted"));
    assert_eq!(app.platform("DELETE", &deleted, t, None).await.status, 204);
    let refused = app.core("GET", "/customers", Some(&other_jwt), None).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.UserDeleted"));
    assert_eq!(
        app.platform("DELETE", "/platform/users/00000000-0000-0000-0000-000000000001", t, None).await.status,
        403
    );
    assert_eq!(app.platform("DELETE", &format!("/platform/users/{}", uuid::Uuid::new_v4()), t, None).await.status, 404);
    // The organization's own token (system:kaiten) still works.
    assert_eq!(app.core("GET", "/customers", Some(&org.token), None).await.status, 200);
}

#[tokio::test]
async fn platform_scopes_are_enforced() {
    let app = spawn_app().await;
    let (_, reader) = kaiten_api::modules::platform::credentials::create(
        &app.pool,
        "reader",
        Some(vec!["read:organizations".into()]),
        None,
    )
    .await
    .unwrap();
    let ensure = app.platform("POST", "/platform/organizations", Some(&reader), Some(json!({"externalId": "x"}))).await;
    assert_eq!((ensure.status, ensure.code()), (403, "Auth.MissingScope"));
    let delete =
        app.platform("DELETE", &format!("/platform/organizations/{}", uuid::Uuid::new_v4()), Some(&reader), None).await;
    assert_eq!(delete.status, 403);
    let (_, writer) = kaiten_api::modules::platform::credentials::create(
        &app.pool,
        "writer",
        Some(vec!["write:organizations".into()]),
        None,
    )
    .await
    .unwrap();
    let delete =
        app.platform("DELETE", &format!("/platform/organizations/{}", uuid::Uuid::new_v4()), Some(&writer), None).await;
    assert_eq!(delete.status, 403, "write:X does not imply delete:X");
}
