use serde_json::json;
use sha2::Digest;

use kaiten_testkit::spawn_app;

#[tokio::test]
async fn a_service_account_token_is_shown_once_stored_as_a_digest_and_revocable_at_once() {
    let app = spawn_app().await;
    let org = app.org("org_sa").await;
    let t = Some(org.token.as_str());
    let account =
        app.core("POST", "/service-accounts", t, Some(json!({"name": "CI Runner", "slug": "ci-runner"}))).await;
    assert_eq!(account.status, 201, "{}", account.text);
    assert!(account.body["externalId"].as_str().unwrap().starts_with("ksa_"));
    assert_eq!(account.body["tokens"], json!([]));

    let created = app
        .core(
            "POST",
            "/service-accounts/ci-runner/tokens",
            t,
            Some(json!({"name": "deploy", "scopes": ["read:customers"]})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("ksh_") && secret.len() == 47);
    assert_eq!(created.body["serviceAccountId"], account.body["id"]);

    // Only the digest is stored.
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT lookup_hash FROM token WHERE name = 'deploy'").fetch_all(&app.pool).await.unwrap();
    assert_eq!(stored, vec![sha2::Sha256::digest(secret.as_bytes()).to_vec()]);
    let dump: String =
        sqlx::query_scalar("SELECT string_agg(t::text, ' ') FROM token t").fetch_one(&app.pool).await.unwrap();
    assert!(!dump.contains(&secret[4..]));

    // It authenticates with exactly its scopes; listings never show a secret.
    assert_eq!(app.core("GET", "/customers", Some(&secret), None).await.status, 200);
    assert_eq!(
        app.core("POST", "/customers", Some(&secret), Some(json!({"name": "x"}))).await.code(),
        "Auth.MissingScope"
    );
    let got = app.core("GET", "/service-accounts/ci-runner", t, None).await;
    assert_eq!(got.body["tokens"][0]["name"], "deploy");
    let listed = app.core("GET", "/service-accounts/ci-runner/tokens", t, None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(!listed.text.contains(&secret) && !got.text.contains(&secret));

    let token_slug = created.body["slug"].as_str().unwrap();
    let revoked = app.core("DELETE", &format!("/service-accounts/ci-runner/tokens/{token_slug}"), t, None).await;
    assert_eq!(revoked.status, 204);
    let reply = app.core("GET", "/customers", Some(&secret), None).await;
    assert_eq!((reply.status, reply.code()), (401, "Auth.InvalidToken"), "revocation is immediate");
    assert_eq!(
        app.core("DELETE", &format!("/service-accounts/ci-runner/tokens/{token_slug}"), t, None).await.status,
        204
    );
    assert_eq!(
        app.core("DELETE", "/service-accounts/ci-runner/tokens/nope", t, None).await.code(),
        "DeleteToken.NotFound"
    );
    let listed = app.core("GET", "/service-accounts/ci-runner/tokens", t, None).await;
    assert!(listed.body["items"][0]["revokedAt"].is_string());
    assert!(listed.body["items"][0]["revokedBy"]["id"].is_string());
    // The name of a revoked token can be reused.
    let again =
        app.core("POST", "/service-accounts/ci-runner/tokens", t, Some(json!({"name": "deploy", "scopes": []}))).await;
    assert_eq!(again.status, 201);
    let dup =
        app.core("POST", "/service-accounts/ci-runner/tokens", t, Some(json!({"name": "deploy", "scopes": []}))).await;
    assert_eq!((dup.status, dup.code()), (409, "CreateToken.NameConflict"));
}

#[tokio::test]
async fn token_scopes_are_validated_and_never_exceed_the_creator() {
    let app = spawn_app().await;
    let org = app.org("org_sa_scopes").await;
    app.core("POST", "/service-accounts", Some(&org.token), Some(json!({"name": "a", "slug": "acct"}))).await;
    let invalid = app
        .core(
            "POST",
            "/service-accounts/acct/tokens",
            Some(&org.token),
            Some(json!({"name": "x", "scopes": ["admin:all"]})),
        )
        .await;
    assert_eq!((invalid.status, invalid.code()), (400, "Token.InvalidScopes"));
    assert_eq!(invalid.body["errors"][0]["location"], "body.scopes");
    let limited = app.mint(&org.id, Some(&["write:tokens"])).await;
    let escalate = app
        .core(
            "POST",
            "/service-accounts/acct/tokens",
            Some(&limited),
            Some(json!({"name": "x", "scopes": ["write:*"]})),
        )
        .await;
    assert_eq!((escalate.status, escalate.code()), (403, "CreateToken.ScopesExceedCredential"));
    let past = app
        .core(
            "POST",
            "/service-accounts/acct/tokens",
            Some(&org.token),
            Some(json!({"name": "x", "scopes": [], "expiresAt": "2020-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!((past.status, past.code()), (400, "CreateToken.InvalidExpiry"));
    let missing_scopes =
        app.core("POST", "/service-accounts/acct/tokens", Some(&org.token), Some(json!({"name": "x"}))).await;
    assert_eq!(missing_scopes.status, 422);
}

#[tokio::test]
async fn service_accounts_list_rename_and_stay_in_their_organization() {
    let app = spawn_app().await;
    let a = app.org("org_sa_a").await;
    let b = app.org("org_sa_b").await;
    for name in ["one", "two", "three"] {
        assert_eq!(
            app.core("POST", "/service-accounts", Some(&a.token), Some(json!({"name": name}))).await.status,
            201
        );
    }
    let first = app.core("GET", "/service-accounts?limit=2", Some(&a.token), None).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(first.body["hasMore"], true);
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let second = app.core("GET", &format!("/service-accounts?limit=2&cursor={cursor}"), Some(&a.token), None).await;
    assert_eq!(second.body["items"][0]["name"], "one");
    assert_eq!(second.body["hasMore"], false);

    let slug = second.body["items"][0]["slug"].as_str().unwrap();
    let renamed = app
        .core("PUT", &format!("/service-accounts/{slug}"), Some(&a.token), Some(json!({"name": "uno", "slug": "uno"})))
        .await;
    assert_eq!(renamed.status, 204, "{}", renamed.text);
    assert_eq!(app.core("GET", "/service-accounts/uno", Some(&a.token), None).await.body["name"], "uno");
    let taken = app.core("POST", "/service-accounts", Some(&a.token), Some(json!({"name": "x", "slug": "uno"}))).await;
    assert_eq!(taken.status, 409);

    assert_eq!(app.core("GET", "/service-accounts/uno", Some(&b.token), None).await.status, 404);
    assert_eq!(app.core("GET", "/service-accounts/uno/tokens", Some(&b.token), None).await.status, 404);
    assert_eq!(
        app.core("POST", "/service-accounts/uno/tokens", Some(&b.token), Some(json!({"name": "x", "scopes": []})))
            .await
            .status,
        404
    );
    assert_eq!(app.core("GET", "/service-accounts", Some(&b.token), None).await.body["items"], json!([]));
}
