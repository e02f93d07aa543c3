use serde_json::{Value, json};

use kaiten_testkit::spawn_app;

#[tokio::test]
async fn missing_or_malformed_credentials_are_401_problems() {
    let app = spawn_app().await;
    let reply = app.core("GET", "/customers", None, None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.code(), "Auth.NoIdentity");
    assert_eq!(reply.content_type(), "application/problem+json");
    assert_eq!(reply.body["instance"], "/api/customers");
    for bad in ["garbage", "Bearer not.a.jwt", "Bearer ksh_short", "Basic dXNlcjpwYXNz"] {
        let reply = app
            .client
            .get(format!("{}/api/customers", app.core_url))
            .header("authorization", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 401, "{bad}");
    }
}

#[tokio::test]
async fn credentials_of_the_wrong_family_are_refused_on_each_listener() {
    let app = spawn_app().await;
    let org = app.org("org_wrong_family").await;
    let reply = app.core("GET", "/customers", Some(&app.platform_token), None).await;
    assert_eq!((reply.status, reply.code()), (403, "Auth.WrongCredentialKind"));
    let reply = app.platform("GET", "/platform/me", Some(&org.token), None).await;
    assert_eq!((reply.status, reply.code()), (403, "Auth.WrongCredentialKind"));
    let jwt = app.jwt("user_1", "org_wrong_family", &["write:*"]);
    let reply = app.platform("GET", "/platform/me", Some(&jwt), None).await;
    assert_eq!(reply.status, 403);
    // The public listener has no platform route at all.
    let reply = app.send(&app.core_url, "GET", "/platform/me", Some(&app.platform_token), None).await;
    assert_eq!(reply.status, 404);
    let reply = app.send(&app.platform_url, "GET", "/customers", Some(&org.token), None).await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn a_first_jwt_provisions_organization_user_and_membership_exactly_once() {
    let app = spawn_app().await;
    let claims = json!({"sub": "user_jit", "kaiten_external_org_id": "org_jit", "scopes": "read:customers write:customers",
                        "email": "jit@example.com", "name": "Jit User", "kaiten_org_name": "Jit Org"});
    let jwt = app.jwt_with(claims);
    let mut concurrent = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = app.client.get(format!("{}/api/customers", app.core_url)).bearer_auth(&jwt);
        concurrent.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = concurrent.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let orgs: Vec<(uuid::Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM organization WHERE external_id = 'org_jit'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].0, kaiten_kernel::external_id::organization_id("org_jit"));
    assert_eq!(orgs[0].1, "Jit Org");
    let users: Vec<(uuid::Uuid, String)> = sqlx::query_as("SELECT id, email FROM users WHERE external_id = 'user_jit'")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, vec![(kaiten_kernel::external_id::user_id("user_jit"), "jit@example.com".to_owned())]);
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM membership WHERE organization_id = $1")
        .bind(orgs[0].0)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(members, 2, "the user and system:kaiten");
    // The customer is created by that user.
    let created = app.core("POST", "/customers", Some(&jwt), Some(json!({"name": "By Jit"}))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["createdBy"]["id"], json!(users[0].0));
}

#[tokio::test]
async fn every_operation_enforces_the_scope_it_documents() {
    let app = spawn_app().await;
    let org = app.org("org_scopes").await;
    let unrelated = app.mint(&org.id, Some(&["read:notifications"])).await;
    let doc = serde_json::to_value(kaiten_api::core_openapi()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let scope = &operation["security"][0]["bearerAuth"][0];
            assert!(scope.is_string(), "{method} {path} declares one scope");
            let concrete = path
                .replace("{customerSlug}", "c-1")
                .replace("{serviceAccountSlug}", "s-1")
                .replace("{tokenSlug}", "t-1")
                .replace("{entitlementSlug}", "e-1")
                .replace("{entitlementGroupSlug}", "g-1")
                .replace("{licenseSlug}", "l-1")
                .replace("{familySlug}", "f-1")
                .replace("{instanceSlug}", "i-1")
                .replace("{featureFlagSlug}", "ff-1")
                .replace("{key}", "ff-1")
                .replace("{componentSlug}", "co-1")
                .replace("{releaseSlug}", "r-1")
                .replace("{deploymentZoneSlug}", "z-1")
                .replace("{endpointId}", "00000000-0000-0000-0000-000000000001")
                .replace("{deliveryId}", "00000000-0000-0000-0000-000000000002")
                .replace("{integrationName}", "kaiten.integration.crm.attio")
                .replace("{adapter}", "crm.attio")
                .replace("{externalId}", "rec-1");
            let reply = app
                .core(&method.to_uppercase(), &concrete, Some(&unrelated), Some(json!({"name": "x", "scopes": []})))
                .await;
            assert_eq!((reply.status, reply.code()), (403, "Auth.MissingScope"), "{method} {path}");
            assert_eq!(reply.body["detail"], format!("missing required scope: {}", scope.as_str().unwrap()));
            checked += 1;
        }
    }
    // The contract's 87 implemented operations and the 11 of the outgoing-webhooks API.
    assert_eq!(checked, 98);
    // write:X implies read:X
    let writer = app.mint(&org.id, Some(&["write:customers"])).await;
    assert_eq!(app.core("GET", "/customers", Some(&writer), None).await.status, 200);
    let reader = app.mint(&org.id, Some(&["read:*"])).await;
    assert_eq!(app.core("GET", "/customers", Some(&reader), None).await.status, 200);
    assert_eq!(app.core("POST", "/customers", Some(&reader), Some(json!({"name": "x"}))).await.status, 403);
}

#[tokio::test]
async fn validate_endpoint_answers_any_method_with_an_internal_jwt() {
    let app = spawn_app().await;
    let org = app.org("org_validate").await;
    for method in ["GET", "POST", "PUT"] {
        let reply = app.core(method, "/tokens/validate", Some(&org.token), None).await;
        assert_eq!(reply.status, 200, "{method}");
        let header = reply.headers["authorization"].to_str().unwrap();
        let jwt = header.strip_prefix("Bearer ").unwrap();
        let claims: Value = {
            use base64::Engine;
            let part = jwt.split('.').nth(1).unwrap();
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
        };
        assert_eq!(claims["sub"], "system:kaiten");
        assert_eq!(claims["kaiten_external_org_id"], "org_validate");
        assert!(claims["scopes"].as_array().unwrap().len() > 20);
    }
    let reply = app.core("GET", "/tokens/validate", None, None).await;
    assert_eq!((reply.status, reply.code()), (401, "ValidateToken.MissingAuthorizationHeader"));
    for bad in [app.platform_token.clone(), "ksh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned()] {
        let reply = app.core("GET", "/tokens/validate", Some(&bad), None).await;
        assert_eq!((reply.status, reply.code()), (401, "ValidateToken.Invalid"));
    }
}

#[tokio::test]
async fn an_expired_organization_token_stops_authenticating() {
    let app = spawn_app().await;
    let org = app.org("org_expiry").await;
    let account = app.core("POST", "/service-accounts", Some(&org.token), Some(json!({"name": "ci"}))).await;
    let slug = account.body["slug"].as_str().unwrap();
    let expires = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let token = app
        .core(
            "POST",
            &format!("/service-accounts/{slug}/tokens"),
            Some(&org.token),
            Some(json!({"name": "short", "scopes": ["read:customers"], "expiresAt": expires})),
        )
        .await;
    assert_eq!(token.status, 201, "{}", token.text);
    let secret = token.body["token"].as_str().unwrap();
    assert_eq!(app.core("GET", "/customers", Some(secret), None).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let reply = app.core("GET", "/customers", Some(secret), None).await;
    assert_eq!((reply.status, reply.code()), (401, "Auth.InvalidToken"), "cached, yet its expiry is checked");
}
