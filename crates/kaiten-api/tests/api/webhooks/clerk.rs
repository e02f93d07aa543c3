//! `POST /api/webhooks/clerk`: signed Clerk events converge on the rows JIT provisioning uses.

use std::sync::Arc;

use kaiten_api::ApiConfig;
use kaiten_api::modules::webhook_endpoints::settings::WebhookSettings;
use kaiten_events::webhooks::signing::{SigningKey, sign};
use kaiten_kernel::external_id;
use kaiten_testkit::{Reply, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use uuid::Uuid;

struct Clerk {
    app: TestApp,
    key: SigningKey,
}

async fn clerk() -> Clerk {
    let key = SigningKey::generate();
    let app = spawn_app_with(ApiConfig {
        webhooks: WebhookSettings { clerk_secret: Some(Arc::new(key.clone())), ..Default::default() },
        ..Default::default()
    })
    .await;
    Clerk { app, key }
}

fn event(event_type: &str, data: Value) -> String {
    json!({"data": data, "object": "event", "type": event_type, "timestamp": 1_654_012_591_835_i64}).to_string()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Posts `body` with exactly these headers.
async fn post(app: &TestApp, headers: &[(&str, String)], body: impl Into<String>) -> Reply {
    let mut request = app
        .client
        .post(format!("{}/api/webhooks/clerk", app.core_url))
        .header("content-type", "application/json")
        .body(body.into());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    app.reply(request).await
}

fn svix_headers(id: &str, timestamp: i64, signature: String) -> Vec<(&'static str, String)> {
    vec![("svix-id", id.to_owned()), ("svix-timestamp", timestamp.to_string()), ("svix-signature", signature)]
}

impl Clerk {
    /// Delivers `body` as Clerk does, signed now under message id `id`.
    async fn deliver(&self, id: &str, body: &str) -> Reply {
        let ts = now();
        let signature = sign(std::slice::from_ref(&self.key), id, ts, body.as_bytes());
        post(&self.app, &svix_headers(id, ts, signature), body).await
    }

    async fn applied(&self, id: &str, body: &str) {
        let reply = self.deliver(id, body).await;
        assert_eq!(reply.status, 200, "{id}: {}", reply.text);
        assert_eq!(reply.body, json!({"applied": true}), "{id}");
    }

    async fn user(&self, clerk_id: &str) -> Option<(Uuid, String, String, bool)> {
        sqlx::query_as("SELECT id, email, name, deleted_at IS NOT NULL FROM users WHERE external_id = $1")
            .bind(clerk_id)
            .fetch_optional(&self.app.pool)
            .await
            .unwrap()
    }

    async fn organization(&self, clerk_id: &str) -> Option<(Uuid, String)> {
        sqlx::query_as("SELECT id, name FROM organization WHERE external_id = $1")
            .bind(clerk_id)
            .fetch_optional(&self.app.pool)
            .await
            .unwrap()
    }

    /// Whether the membership exists, and whether it is soft-deleted.
    async fn membership(&self, org: &str, user: &str) -> Option<bool> {
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM membership WHERE organization_id = $1 AND user_id = $2")
            .bind(external_id::organization_id(org))
            .bind(external_id::user_id(user))
            .fetch_optional(&self.app.pool)
            .await
            .unwrap()
    }

    /// Every row of the tables a delivery may write, as text.
    async fn snapshot(&self) -> String {
        let mut all = String::new();
        for (table, order) in [
            ("users", "id"),
            ("organization", "id"),
            ("membership", "organization_id, user_id"),
            ("webhook_inbox", "source, message_id"),
        ] {
            let rows: Option<Value> =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT json_agg(t ORDER BY {order}) FROM {table} t")))
                    .fetch_one(&self.app.pool)
                    .await
                    .unwrap();
            all.push_str(&format!("{table}: {}\n", rows.unwrap_or(Value::Null)));
        }
        all
    }

    async fn inbox(&self) -> Vec<(String, String, String)> {
        sqlx::query_as("SELECT source, message_id, event_type FROM webhook_inbox ORDER BY received_at, message_id")
            .fetch_all(&self.app.pool)
            .await
            .unwrap()
    }
}

fn user_data(id: &str, first: &str, last: &str, email: &str) -> Value {
    json!({
        "id": id, "object": "user", "first_name": first, "last_name": last, "username": null,
        "primary_email_address_id": "idn_primary",
        "email_addresses": [
            {"id": "idn_other", "object": "email_address", "email_address": format!("other-{email}")},
            {"id": "idn_primary", "object": "email_address", "email_address": email}
        ],
        "created_at": 1_654_012_591_514_i64, "image_url": "https://img.clerk.com/x"
    })
}

fn organization_data(id: &str, name: &str) -> Value {
    json!({"id": id, "object": "organization", "name": name, "slug": name.to_lowercase(), "members_count": 1})
}

fn membership_data(org: &str, org_name: &str, user: &str, identifier: &str) -> Value {
    json!({
        "id": format!("orgmem_{user}"), "object": "organization_membership", "role": "org:admin",
        "organization": organization_data(org, org_name),
        "public_user_data": {"user_id": user, "identifier": identifier, "first_name": "Member", "last_name": null}
    })
}

#[tokio::test]
async fn an_unconfigured_receiver_answers_404_and_records_nothing() {
    let app = spawn_app().await;
    let key = SigningKey::generate();
    let body = event("user.created", user_data("user_x", "A", "B", "a@example.com"));
    let ts = now();
    let reply = post(&app, &svix_headers("msg_1", ts, sign(&[key], "msg_1", ts, body.as_bytes())), body).await;
    assert_eq!((reply.status, reply.code()), (404, "ClerkWebhook.NotConfigured"), "{}", reply.text);
    assert_eq!(reply.content_type(), "application/problem+json");
    let inbox: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_inbox").fetch_one(&app.pool).await.unwrap();
    assert_eq!(inbox, 0);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE external_id = 'user_x'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn created_events_provision_what_jit_would_and_a_jwt_converges_on_it() {
    let clerk = clerk().await;
    clerk.applied("msg_org", &event("organization.created", organization_data("org_c1", "Acme"))).await;
    clerk.applied("msg_user", &event("user.created", user_data("user_c1", "Ada", "Lovelace", "ada@example.com"))).await;
    clerk
        .applied(
            "msg_member",
            &event("organizationMembership.created", membership_data("org_c1", "Acme", "user_c1", "ada@example.com")),
        )
        .await;

    let org_id = external_id::organization_id("org_c1");
    let user_id = external_id::user_id("user_c1");
    assert_eq!(clerk.organization("org_c1").await, Some((org_id, "Acme".to_owned())));
    assert_eq!(
        clerk.user("user_c1").await,
        Some((user_id, "ada@example.com".to_owned(), "Ada Lovelace".to_owned(), false)),
        "the primary address, and the membership's first name does not replace the full one"
    );
    assert_eq!(clerk.membership("org_c1", "user_c1").await, Some(false));
    assert_eq!(
        clerk.inbox().await.into_iter().map(|(s, m, t)| format!("{s} {m} {t}")).collect::<Vec<_>>(),
        vec![
            "clerk msg_org organization.created",
            "clerk msg_user user.created",
            "clerk msg_member organizationMembership.created"
        ]
    );

    // The user's first JWT finds these rows: no second organization or user.
    let jwt = clerk.app.jwt("user_c1", "org_c1", &["read:customers", "write:customers"]);
    let created = clerk.app.core("POST", "/customers", Some(&jwt), Some(json!({"name": "By Clerk"}))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["createdBy"]["id"], json!(user_id));
    let owner: Uuid = sqlx::query_scalar("SELECT organization_id FROM customer WHERE name = 'By Clerk'")
        .fetch_one(&clerk.app.pool)
        .await
        .unwrap();
    assert_eq!(owner, org_id);
    let counts: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM organization WHERE external_id = 'org_c1'),
                (SELECT count(*) FROM users WHERE external_id = 'user_c1')",
    )
    .fetch_one(&clerk.app.pool)
    .await
    .unwrap();
    assert_eq!(counts, (1, 1));
    assert_eq!(clerk.user("user_c1").await.unwrap().2, "Ada Lovelace", "a JWT without claims changes nothing");

    // The other way round: a JWT first, then Clerk's events name the same rows.
    let first = clerk.app.jwt("user_jit_first", "org_jit_first", &["read:customers"]);
    assert_eq!(clerk.app.core("GET", "/customers", Some(&first), None).await.status, 200);
    assert_eq!(clerk.organization("org_jit_first").await.unwrap().1, "org_jit_first");
    clerk
        .applied("msg_late_org", &event("organization.created", organization_data("org_jit_first", "Named Late")))
        .await;
    clerk
        .applied("msg_late_user", &event("user.created", user_data("user_jit_first", "Late", "", "late@example.com")))
        .await;
    assert_eq!(
        clerk.organization("org_jit_first").await,
        Some((external_id::organization_id("org_jit_first"), "Named Late".to_owned()))
    );
    assert_eq!(
        clerk.user("user_jit_first").await,
        Some((external_id::user_id("user_jit_first"), "late@example.com".to_owned(), "Late".to_owned(), false))
    );
    assert_eq!(clerk.app.core("GET", "/customers", Some(&first), None).await.status, 200);
}

#[tokio::test]
async fn updates_change_names_and_emails() {
    let clerk = clerk().await;
    clerk.applied("msg_1", &event("user.created", user_data("user_u", "Ada", "Lovelace", "ada@example.com"))).await;
    clerk.applied("msg_2", &event("user.updated", user_data("user_u", "Ada", "King", "countess@example.com"))).await;
    let (_, email, name, _) = clerk.user("user_u").await.unwrap();
    assert_eq!((email.as_str(), name.as_str()), ("countess@example.com", "Ada King"));
    // Nothing to name the user by: the name is kept; only a username: it names the user.
    let bare = json!({"id": "user_u", "first_name": null, "last_name": " ", "email_addresses": []});
    clerk.applied("msg_3", &event("user.updated", bare)).await;
    assert_eq!(clerk.user("user_u").await.unwrap().1, "countess@example.com");
    assert_eq!(clerk.user("user_u").await.unwrap().2, "Ada King");
    let username = json!({"id": "user_u", "username": "ada", "email_addresses": []});
    clerk.applied("msg_4", &event("user.updated", username)).await;
    assert_eq!(clerk.user("user_u").await.unwrap().2, "ada");
    // A user known only by a bare creation: placeholders as JIT uses them.
    clerk.applied("msg_5", &event("user.created", json!({"id": "user_bare"}))).await;
    let (_, email, name, _) = clerk.user("user_bare").await.unwrap();
    assert_eq!((email.as_str(), name.as_str()), ("user_bare@jit.internal", "user_bare"));

    clerk.applied("msg_6", &event("organization.created", organization_data("org_u", "Before"))).await;
    clerk.applied("msg_7", &event("organization.updated", organization_data("org_u", "After"))).await;
    assert_eq!(clerk.organization("org_u").await.unwrap().1, "After");

    // A membership of a user Clerk has not announced yet creates the user from its public data;
    // it does not change what exists.
    clerk
        .applied(
            "msg_8",
            &event("organizationMembership.updated", membership_data("org_u", "Stale", "user_new", "new@example.com")),
        )
        .await;
    let (id, email, name, deleted) = clerk.user("user_new").await.unwrap();
    assert_eq!(id, external_id::user_id("user_new"));
    assert_eq!((email.as_str(), name.as_str(), deleted), ("new@example.com", "Member", false));
    assert_eq!(clerk.membership("org_u", "user_new").await, Some(false));
    assert_eq!(clerk.organization("org_u").await.unwrap().1, "After", "a membership's names never rename");

    // An address another user holds: refused with a code, nothing recorded, so Clerk retries.
    let taken = event("user.updated", user_data("user_new", "Member", "", "countess@example.com"));
    let reply = clerk.deliver("msg_9", &taken).await;
    assert_eq!((reply.status, reply.code()), (409, "ClerkWebhook.EmailConflict"), "{}", reply.text);
    assert!(!clerk.inbox().await.iter().any(|(_, id, _)| id == "msg_9"));
    clerk.applied("msg_10", &event("user.updated", user_data("user_u", "Ada", "King", "ada2@example.com"))).await;
    clerk.applied("msg_9", &taken).await;
    assert_eq!(clerk.user("user_new").await.unwrap().1, "countess@example.com", "the retry succeeds");
}

#[tokio::test]
async fn deletions_soft_delete_like_the_platform_api_and_refuse_jwts() {
    let clerk = clerk().await;
    clerk.applied("m1", &event("organization.created", organization_data("org_d", "Doomed"))).await;
    for user in ["user_member", "user_gone"] {
        clerk
            .applied(
                &format!("m-{user}"),
                &event("user.created", user_data(user, user, "", &format!("{user}@example.com"))),
            )
            .await;
        clerk
            .applied(
                &format!("mm-{user}"),
                &event("organizationMembership.created", membership_data("org_d", "Doomed", user, "x")),
            )
            .await;
    }
    let member_jwt = clerk.app.jwt("user_member", "org_d", &["read:customers"]);
    let gone_jwt = clerk.app.jwt("user_gone", "org_d", &["read:customers"]);
    assert_eq!(clerk.app.core("GET", "/customers", Some(&member_jwt), None).await.status, 200);
    assert_eq!(clerk.app.core("GET", "/customers", Some(&gone_jwt), None).await.status, 200);

    // The membership goes: that login is refused at once, even though it was cached.
    clerk
        .applied("m2", &event("organizationMembership.deleted", membership_data("org_d", "Doomed", "user_member", "x")))
        .await;
    assert_eq!(clerk.membership("org_d", "user_member").await, Some(true));
    let refused = clerk.app.core("GET", "/customers", Some(&member_jwt), None).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.MembershipDeleted"));
    // Added back: restored.
    clerk
        .applied("m3", &event("organizationMembership.created", membership_data("org_d", "Doomed", "user_member", "x")))
        .await;
    assert_eq!(clerk.membership("org_d", "user_member").await, Some(false));
    assert_eq!(clerk.app.core("GET", "/customers", Some(&member_jwt), None).await.status, 200);

    // The user goes: soft-deleted, refused, and a later update does not bring them back.
    let deleted = json!({"id": "user_gone", "object": "user", "deleted": true});
    clerk.applied("m4", &event("user.deleted", deleted)).await;
    assert!(clerk.user("user_gone").await.unwrap().3, "soft-deleted, the row is kept");
    let refused = clerk.app.core("GET", "/customers", Some(&gone_jwt), None).await;
    assert_eq!((refused.status, refused.code()), (403, "Auth.UserDeleted"));
    clerk.applied("m5", &event("user.updated", user_data("user_gone", "Still", "Gone", "gone@example.com"))).await;
    assert!(clerk.user("user_gone").await.unwrap().3);
    assert_eq!(clerk.app.core("GET", "/customers", Some(&gone_jwt), None).await.status, 403);

    // Deleting what does not exist is acknowledged.
    clerk.applied("m6", &event("user.deleted", json!({"id": "user_never", "deleted": true}))).await;
    clerk.applied("m7", &event("organization.deleted", json!({"id": "org_never", "deleted": true}))).await;
    assert_eq!(clerk.user("user_never").await, None);

    // The organization goes, with everything it owns.
    let org = clerk.app.org("org_d").await;
    assert_eq!(org.id, external_id::organization_id("org_d").to_string());
    assert_eq!(clerk.app.core("GET", "/customers", Some(&org.token), None).await.status, 200);
    clerk
        .applied(
            "m8",
            &event("organization.deleted", json!({"id": "org_d", "object": "organization", "deleted": true})),
        )
        .await;
    assert_eq!(clerk.organization("org_d").await, None);
    assert_eq!(clerk.membership("org_d", "user_member").await, None);
    let refused = clerk.app.core("GET", "/customers", Some(&org.token), None).await;
    assert_eq!(refused.status, 401, "the organization's token stopped working at once");
    assert!(!clerk.user("user_member").await.unwrap().3, "users outlive their organization");
}

#[tokio::test]
async fn a_message_id_is_applied_once() {
    let clerk = clerk().await;
    clerk.applied("msg_base", &event("user.created", user_data("user_i", "Ada", "", "ada@example.com"))).await;
    clerk.applied("msg_x", &event("user.updated", user_data("user_i", "First", "Name", "ada@example.com"))).await;
    let again =
        clerk.deliver("msg_x", &event("user.updated", user_data("user_i", "Second", "Name", "b@example.com"))).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body, json!({"applied": false, "duplicate": true}));
    let (_, email, name, _) = clerk.user("user_i").await.unwrap();
    assert_eq!((email.as_str(), name.as_str()), ("ada@example.com", "First Name"));
    // A redelivery of the very same message changes nothing either.
    let same =
        clerk.deliver("msg_x", &event("user.updated", user_data("user_i", "First", "Name", "ada@example.com"))).await;
    assert_eq!(same.body["duplicate"], true);
    let ids: Vec<String> = clerk.inbox().await.into_iter().map(|(_, id, _)| id).collect();
    assert_eq!(ids, vec!["msg_base", "msg_x"]);

    // Concurrent deliveries of one new message: exactly one applies.
    let body = event("organization.created", organization_data("org_race", "Race"));
    let mut replies = Vec::new();
    let mut set = tokio::task::JoinSet::new();
    let ts = now();
    let signature = sign(std::slice::from_ref(&clerk.key), "msg_race", ts, body.as_bytes());
    for _ in 0..6 {
        let request = clerk
            .app
            .client
            .post(format!("{}/api/webhooks/clerk", clerk.app.core_url))
            .header("svix-id", "msg_race")
            .header("svix-timestamp", ts.to_string())
            .header("svix-signature", signature.clone())
            .body(body.clone());
        set.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        });
    }
    while let Some(reply) = set.join_next().await {
        replies.push(reply.unwrap());
    }
    assert!(replies.iter().all(|(status, _)| *status == 200), "{replies:?}");
    assert_eq!(replies.iter().filter(|(_, body)| body["applied"] == true).count(), 1, "{replies:?}");
    assert_eq!(clerk.organization("org_race").await.unwrap().1, "Race");
}

/// A delivery that must be refused with `status` and `code`.
struct Refused {
    name: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
    status: u16,
    code: &'static str,
}

impl Refused {
    fn new(
        name: &'static str,
        headers: Vec<(&'static str, String)>,
        body: &str,
        status: u16,
        code: &'static str,
    ) -> Self {
        Self { name, headers, body: body.to_owned(), status, code }
    }
}

#[tokio::test]
async fn refused_deliveries_write_nothing() {
    let clerk = clerk().await;
    clerk.applied("msg_seed", &event("user.created", user_data("user_r", "Ada", "", "ada@example.com"))).await;
    let before = clerk.snapshot().await;
    let body = event("user.updated", user_data("user_r", "Changed", "", "changed@example.com"));
    let org_body = event("organization.created", organization_data("org_r", "Refused"));
    let key = std::slice::from_ref(&clerk.key);
    let ts = now();
    let good = sign(key, "msg_r", ts, body.as_bytes());
    let without = |name: &str| {
        svix_headers("msg_r", ts, good.clone()).into_iter().filter(|(n, _)| *n != name).collect::<Vec<_>>()
    };
    let signed = |id: &str, ts: i64, text: &str| svix_headers(id, ts, sign(key, id, ts, text.as_bytes()));

    let not_json = "user.updated please".to_owned();
    let not_an_event = r#"{"object":"user","id":"user_r"}"#.to_owned();
    let no_data = event("user.updated", json!({"first_name": "x"}));
    let system = event("user.updated", json!({"id": "system:kaiten"}));
    let mut bad_timestamp = svix_headers("msg_r", ts, good.clone());
    bad_timestamp[1].1 = "soon".to_owned();
    let (signature, stale, headers, json_, data) = (
        "ClerkWebhook.InvalidSignature",
        "ClerkWebhook.StaleTimestamp",
        "ClerkWebhook.MissingHeaders",
        "ClerkWebhook.InvalidJson",
        "ClerkWebhook.InvalidEventData",
    );
    let cases = [
        Refused::new("another body's signature", signed("msg_r", ts, &org_body), &body, 401, signature),
        Refused::new(
            "another id's signature",
            svix_headers("msg_r", ts, sign(key, "x", ts, body.as_bytes())),
            &body,
            401,
            signature,
        ),
        Refused::new(
            "wrong secret",
            svix_headers("msg_r", ts, sign(&[SigningKey::generate()], "msg_r", ts, body.as_bytes())),
            &body,
            401,
            signature,
        ),
        Refused::new(
            "garbage signature",
            svix_headers("msg_r", ts, "v1,not-base64!! v1".to_owned()),
            &body,
            401,
            signature,
        ),
        Refused::new("six minutes old", signed("msg_r", ts - 360, &body), &body, 401, stale),
        Refused::new("six minutes ahead", signed("msg_r", ts + 360, &body), &body, 401, stale),
        Refused::new("no svix-id", without("svix-id"), &body, 400, headers),
        Refused::new("no svix-timestamp", without("svix-timestamp"), &body, 400, headers),
        Refused::new("no svix-signature", without("svix-signature"), &body, 400, headers),
        Refused::new("no headers", vec![], &body, 400, headers),
        Refused::new("timestamp not a number", bad_timestamp, &body, 400, "ClerkWebhook.InvalidHeaders"),
        Refused::new("not JSON", signed("msg_r", ts, &not_json), &not_json, 400, json_),
        Refused::new(
            "not an event",
            signed("msg_r", ts, &not_an_event),
            &not_an_event,
            400,
            "ClerkWebhook.InvalidEvent",
        ),
        Refused::new("an event without its data", signed("msg_r", ts, &no_data), &no_data, 400, data),
        Refused::new(
            "the platform identity",
            signed("msg_r", ts, &system),
            &system,
            403,
            "ClerkWebhook.SystemProtected",
        ),
    ];
    for Refused { name, headers, body, status, code } in cases {
        let reply = post(&clerk.app, &headers, body).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{name}: {}", reply.text);
        assert_eq!(reply.content_type(), "application/problem+json", "{name}");
        assert_eq!(reply.body["instance"], "/api/webhooks/clerk", "{name}");
        assert!(!reply.text.contains(&good), "{name}: the signature is never echoed");
        assert_eq!(clerk.snapshot().await, before, "{name}: nothing written");
    }
    // The same message, properly signed, is still applied: refusals did not consume its id.
    clerk.applied("msg_r", &body).await;
    assert_eq!(clerk.user("user_r").await.unwrap().2, "Changed");
}

#[tokio::test]
async fn unknown_event_types_are_recorded_and_ignored_and_standard_webhooks_headers_work() {
    let clerk = clerk().await;
    let before = clerk.snapshot().await;
    let body = event("session.created", json!({"id": "sess_1", "user_id": "user_s", "status": "active"}));
    let ts = now();
    let signature = sign(std::slice::from_ref(&clerk.key), "msg_session", ts, body.as_bytes());
    let headers = [
        ("webhook-id", "msg_session".to_owned()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signature),
    ];
    let reply = post(&clerk.app, &headers, body.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body, json!({"applied": false, "ignored": true}));
    assert_eq!(clerk.inbox().await, vec![("clerk".to_owned(), "msg_session".to_owned(), "session.created".to_owned())]);
    assert_eq!(clerk.user("user_s").await, None);
    let counts = |s: &str| s.lines().filter(|l| !l.starts_with("webhook_inbox")).collect::<Vec<_>>().join("\n");
    assert_eq!(counts(&clerk.snapshot().await), counts(&before), "only the inbox changed");
    let again = post(&clerk.app, &headers, body).await;
    assert_eq!(again.body, json!({"applied": false, "duplicate": true}));
}
