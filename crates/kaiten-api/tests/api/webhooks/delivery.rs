//! Delivery through the relay and the dispatcher, against receivers on loopback: retries on
//! the (compressed) schedule, Retry-After, exhaustion, resend and recover, secret rotation,
//! filters, disabled endpoints, isolation, SSRF at delivery time and auto-disabling.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kaiten_events::webhooks::schedule::RetrySchedule;
use kaiten_events::webhooks::signing::{SigningKey, verify};
use kaiten_testkit::webhooks::{self, Answer, Receiver};
use kaiten_testkit::{TestApp, spawn_app_with};
use serde_json::{Value, json};

use super::{attempts, customer, deliveries, endpoint, eventually};

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

fn schedule(text: &str) -> webhooks::DispatchConfig {
    webhooks::DispatchConfig { schedule: RetrySchedule::parse(text).unwrap(), ..webhooks::dispatch_config() }
}

async fn app() -> TestApp {
    spawn_app_with(webhooks::api_config()).await
}

#[tokio::test]
async fn retries_follow_the_schedule_until_delivered_and_the_history_shows_every_attempt() {
    let app = app().await;
    let org = app.org("org_wh_retry").await;
    // 500, then no answer within the timeout, then 200.
    let receiver = Receiver::scripted(|n| match n {
        0 => Answer::Status(500),
        1 => Answer::Hang(Duration::from_secs(3)),
        _ => Answer::Status(200),
    })
    .await;
    let config = webhooks::DispatchConfig { timeout: Duration::from_millis(700), ..schedule("400ms,800ms,5s") };
    let _delivering = webhooks::deliver(&app, config).await;
    let hook = endpoint(&app, &org, &receiver.url, &[]).await;
    let id = hook["id"].as_str().unwrap();
    customer(&app, &org, "Retried").await;

    let found =
        eventually(&app, &org, id, 30, "the delivery to succeed", |d| d.len() == 1 && d[0]["status"] == "delivered")
            .await;
    let delivery = &found[0];
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["lastStatusCode"], 200);
    assert_eq!(delivery["eventName"], "CUSTOMER_CREATED");
    let history = attempts(&app, &org, id, delivery["id"].as_str().unwrap()).await;
    assert_eq!(history.len(), 3, "{history:#?}");
    assert_eq!(history[0]["statusCode"], 500);
    assert_eq!(history[0]["outcome"], "failed");
    assert!(history[1].get("statusCode").is_none(), "{:?}", history[1]);
    assert_eq!(history[1]["error"], "timed out");
    assert!(history[1]["durationMs"].as_i64().unwrap() >= 650);
    assert_eq!(history[2]["statusCode"], 200);
    assert_eq!(history[2]["outcome"], "delivered");
    // Each wait is the schedule's, ±10 % jitter: 400 ms after the 500, 800 ms after the timeout.
    let gap = |a: usize, b: usize| {
        let end_of_a =
            at(&history[a]["attemptedAt"]) + chrono::Duration::milliseconds(history[a]["durationMs"].as_i64().unwrap());
        (at(&history[b]["attemptedAt"]) - end_of_a).num_milliseconds()
    };
    assert!((350..1500).contains(&gap(0, 1)), "first wait {} ms", gap(0, 1));
    assert!((700..2500).contains(&gap(1, 2)), "second wait {} ms", gap(1, 2));
    // Every attempt carried the same message id, so the receiver can de-duplicate.
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.id() == delivery["eventId"].as_str().unwrap()));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = app().await;
    let org = app.org("org_wh_retry_after").await;
    let receiver = Receiver::scripted(|n| if n == 0 { Answer::RetryAfter(503, 2) } else { Answer::Status(204) }).await;
    let _delivering = webhooks::deliver(&app, schedule("100ms,100ms")).await;
    endpoint(&app, &org, &receiver.url, &[]).await;
    customer(&app, &org, "Later").await;
    let received = receiver.wait(20, "the second attempt", |r| r.len() == 2).await;
    let waited = (received[1].at - received[0].at).num_milliseconds();
    assert!(waited >= 1900, "the receiver asked for 2 s and got {waited} ms");
}

#[tokio::test]
async fn exhausted_deliveries_fail_and_can_be_resent_or_recovered() {
    let app = app().await;
    let org = app.org("org_wh_exhausted").await;
    let t = Some(org.token.as_str());
    let healthy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = healthy.clone();
    let receiver = Receiver::scripted(move |_| {
        if flag.load(std::sync::atomic::Ordering::SeqCst) { Answer::Status(200) } else { Answer::Status(410) }
    })
    .await;
    let _delivering = webhooks::deliver(&app, schedule("100ms")).await;
    let hook = endpoint(&app, &org, &receiver.url, &["CUSTOMER_CREATED"]).await;
    let id = hook["id"].as_str().unwrap();
    let started = Utc::now();
    customer(&app, &org, "One").await;
    customer(&app, &org, "Two").await;
    let failed = eventually(&app, &org, id, 20, "both deliveries to fail", |d| {
        d.len() == 2 && d.iter().all(|x| x["status"] == "failed")
    })
    .await;
    assert!(failed.iter().all(|d| d["attempts"] == 2 && d.get("nextAttemptAt").is_none()), "{failed:#?}");
    let only_failed = app.core("GET", &format!("/webhooks/endpoints/{id}/deliveries?status=failed"), t, None).await;
    assert_eq!(only_failed.body["items"].as_array().unwrap().len(), 2);
    let endpoint_now = app.core("GET", &format!("/webhooks/endpoints/{id}"), t, None).await;
    assert!(endpoint_now.body.get("failingSince").is_some(), "{}", endpoint_now.text);

    healthy.store(true, std::sync::atomic::Ordering::SeqCst);
    let first = failed[1]["id"].as_str().unwrap();
    let resent = app.core("POST", &format!("/webhooks/endpoints/{id}/deliveries/{first}/resend"), t, None).await;
    assert_eq!(resent.status, 202, "{}", resent.text);
    assert_eq!(resent.body["status"], "pending");
    eventually(&app, &org, id, 20, "the resent delivery", |d| {
        d.iter().filter(|x| x["status"] == "delivered").count() == 1
    })
    .await;

    let recovered = app
        .core("POST", &format!("/webhooks/endpoints/{id}/recover"), t, Some(json!({"since": started.to_rfc3339()})))
        .await;
    assert_eq!((recovered.status, recovered.body["recovered"].as_u64()), (202, Some(1)), "{}", recovered.text);
    let done =
        eventually(&app, &org, id, 20, "the recovered delivery", |d| d.iter().all(|x| x["status"] == "delivered"))
            .await;
    assert!(done.iter().all(|d| d["attempts"] == 3));
    let endpoint_now = app.core("GET", &format!("/webhooks/endpoints/{id}"), t, None).await;
    assert!(endpoint_now.body.get("failingSince").is_none(), "a success ends the failing streak");
    // Nothing recovers twice: no failed delivery is left.
    let again = app
        .core("POST", &format!("/webhooks/endpoints/{id}/recover"), t, Some(json!({"since": started.to_rfc3339()})))
        .await;
    assert_eq!(again.body["recovered"], 0);
}

#[tokio::test]
async fn during_a_rotation_both_secrets_sign_and_after_it_only_the_new_one() {
    let app = app().await;
    let org = app.org("org_wh_rotate").await;
    let t = Some(org.token.as_str());
    let receiver = Receiver::accepting().await;
    let _delivering = webhooks::deliver(&app, webhooks::dispatch_config()).await;
    let hook = endpoint(&app, &org, &receiver.url, &[]).await;
    let id = hook["id"].as_str().unwrap();
    let old = SigningKey::parse(hook["secret"].as_str().unwrap()).unwrap();

    let rotated = app
        .core("POST", &format!("/webhooks/endpoints/{id}/secret/rotate"), t, Some(json!({"gracePeriodSeconds": 3})))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = SigningKey::parse(rotated.body["key"].as_str().unwrap()).unwrap();
    assert_eq!(app.core("GET", &format!("/webhooks/endpoints/{id}/secret"), t, None).await.body, rotated.body);

    let checks = |d: &kaiten_testkit::webhooks::Delivery, key: &SigningKey| {
        let ts: i64 = d.header("svix-timestamp").parse().unwrap();
        verify(key, d.header("svix-signature"), d.id(), ts, d.body.as_bytes())
            && verify(key, d.header("webhook-signature"), d.header("webhook-id"), ts, d.body.as_bytes())
    };
    customer(&app, &org, "During").await;
    let during = receiver.wait(10, "a delivery during the grace period", |r| r.len() == 1).await;
    assert!(checks(&during[0], &old) && checks(&during[0], &new), "{:?}", during[0].headers);
    assert_eq!(during[0].header("svix-signature").split(' ').count(), 2);

    tokio::time::sleep(Duration::from_secs(3)).await;
    customer(&app, &org, "After").await;
    let after = receiver.wait(10, "a delivery after the grace period", |r| r.len() == 2).await;
    assert!(checks(&after[1], &new));
    assert!(!checks(&after[1], &old), "the old secret no longer signs");
    assert_eq!(after[1].header("svix-signature").split(' ').count(), 1);

    // A chosen secret, with no grace: only it signs from now on.
    let chosen = SigningKey::generate();
    let body = json!({"key": chosen.to_secret(), "gracePeriodSeconds": 0});
    assert_eq!(app.core("POST", &format!("/webhooks/endpoints/{id}/secret/rotate"), t, Some(body)).await.status, 200);
    customer(&app, &org, "Chosen").await;
    let last = receiver.wait(10, "a delivery with the chosen secret", |r| r.len() == 3).await;
    assert!(checks(&last[2], &chosen) && !checks(&last[2], &new));
}

#[tokio::test]
async fn filters_disabled_endpoints_and_organizations_are_respected() {
    let app = app().await;
    let (a, b) = (app.org("org_wh_fa").await, app.org("org_wh_fb").await);
    let (only_customers, disabled, all_of_a, all_of_b) = (
        Receiver::accepting().await,
        Receiver::accepting().await,
        Receiver::accepting().await,
        Receiver::accepting().await,
    );
    let _delivering = webhooks::deliver(&app, webhooks::dispatch_config()).await;
    endpoint(&app, &a, &only_customers.url, &["CUSTOMER_CREATED"]).await;
    let off = endpoint(&app, &a, &disabled.url, &[]).await;
    let off_id = off["id"].as_str().unwrap();
    let reply = app
        .core("PUT", &format!("/webhooks/endpoints/{off_id}"), Some(&a.token), Some(json!({"disabled": true})))
        .await;
    assert_eq!(reply.status, 200);
    endpoint(&app, &a, &all_of_a.url, &[]).await;
    endpoint(&app, &b, &all_of_b.url, &[]).await;

    let mine = customer(&app, &a, "A's customer").await;
    let entitlement = app
        .core(
            "POST",
            "/entitlements",
            Some(&a.token),
            Some(json!({"name": "Seats", "slug": "seats", "description": null, "type": "BOOLEAN"})),
        )
        .await;
    assert_eq!(entitlement.status, 201, "{}", entitlement.text);
    let theirs = customer(&app, &b, "B's customer").await;

    let names = |r: &[kaiten_testkit::webhooks::Delivery]| -> Vec<String> {
        r.iter().map(|d| d.json()["name"].as_str().unwrap_or_default().to_owned()).collect()
    };
    // Deliveries run concurrently: an endpoint gets its events in no particular order.
    let got_a = all_of_a.wait(15, "A's two events", |r| r.len() == 2).await;
    let mut got_names = names(&got_a);
    got_names.sort();
    assert_eq!(got_names, ["CUSTOMER_CREATED", "ENTITLEMENT_CREATED"]);
    let customer_event = got_a.iter().find(|d| d.json()["name"] == "CUSTOMER_CREATED").unwrap();
    assert_eq!(customer_event.json()["data"]["id"], mine["id"]);
    let got_b = all_of_b.wait(15, "B's event", |r| r.len() == 1).await;
    assert_eq!(got_b[0].json()["data"]["id"], theirs["id"]);
    let filtered = only_customers.wait(15, "A's customer event", |r| !r.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(names(&only_customers.received()), ["CUSTOMER_CREATED"]);
    assert_eq!(filtered[0].json()["data"]["id"], mine["id"]);
    assert!(disabled.received().is_empty());
    assert_eq!(all_of_b.received().len(), 1, "B never receives A's events");
    assert!(deliveries(&app, &a, off_id).await.is_empty(), "a disabled endpoint gets no deliveries");
}

#[tokio::test]
async fn the_dispatcher_refuses_private_targets_when_not_allowed() {
    let app = app().await;
    let org = app.org("org_wh_ssrf_send").await;
    let receiver = Receiver::accepting().await;
    let config = webhooks::DispatchConfig { allow_private: false, ..schedule("") };
    let _delivering = webhooks::deliver(&app, config).await;
    // Created while the API allowed it (an operator who later turned the permission off).
    let hook = endpoint(&app, &org, &receiver.url, &[]).await;
    let id = hook["id"].as_str().unwrap();
    customer(&app, &org, "Nope").await;
    let found =
        eventually(&app, &org, id, 15, "the refused delivery", |d| d.len() == 1 && d[0]["status"] == "failed").await;
    let history = attempts(&app, &org, id, found[0]["id"].as_str().unwrap()).await;
    assert!(history[0]["error"].as_str().unwrap().contains("non-public"), "{history:#?}");
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn an_endpoint_failing_without_a_break_is_disabled_with_an_event() {
    let app = app().await;
    let org = app.org("org_wh_disable").await;
    let t = Some(org.token.as_str());
    let receiver = Receiver::scripted(|_| Answer::Status(500)).await;
    let config = webhooks::DispatchConfig {
        disable_after: Duration::from_millis(800),
        ..schedule("300ms,300ms,300ms,300ms,300ms,300ms")
    };
    let _delivering = webhooks::deliver(&app, config).await;
    let hook = endpoint(&app, &org, &receiver.url, &[]).await;
    let id = hook["id"].as_str().unwrap();
    customer(&app, &org, "Failing").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let disabled = loop {
        let reply = app.core("GET", &format!("/webhooks/endpoints/{id}"), t, None).await;
        if reply.body["disabled"] == json!(true) {
            break reply.body;
        }
        assert!(tokio::time::Instant::now() < deadline, "never disabled: {}", reply.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(disabled["disabledReason"].as_str().unwrap().starts_with("every delivery failed since"), "{disabled}");
    let events: Vec<(String, Value)> = sqlx::query_as(
        "SELECT event_type, data FROM outbox_events WHERE organization_id = $1::uuid AND event_name = 'WEBHOOK_ENDPOINT_DISABLED'",
    )
    .bind(&org.id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "com.kaiten.webhook_endpoint.v1.disabled");
    assert_eq!(events[0].1["id"], json!(id));
    // Disabled, it is no longer attempted: the pending delivery waits.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let attempts_then = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.received().len(), attempts_then);
    let pending = deliveries(&app, &org, id).await;
    assert_eq!(pending[0]["status"], "pending");
    assert!(pending[0].get("nextAttemptAt").is_none(), "parked while disabled: {:?}", pending[0]);
    // Enabled again: the parked delivery is due at once.
    let enabled = app.core("PUT", &format!("/webhooks/endpoints/{id}"), t, Some(json!({"disabled": false}))).await;
    assert_eq!(enabled.status, 200);
    let resumed = deliveries(&app, &org, id).await;
    assert!(resumed[0].get("nextAttemptAt").is_some(), "{:?}", resumed[0]);
}

#[tokio::test]
async fn a_worker_whose_lease_ran_out_cannot_overwrite_the_outcome() {
    use kaiten_events::webhooks::dispatch::Due;
    use kaiten_events::webhooks::outcome::{Attempt, record};
    let app = app().await;
    let org = app.org("org_wh_lease").await;
    let hook = endpoint(&app, &org, "https://hooks.example.com/x", &[]).await;
    let endpoint_id: uuid::Uuid = hook["id"].as_str().unwrap().parse().unwrap();
    let organization_id: uuid::Uuid = org.id.parse().unwrap();
    let message = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO webhook_message (id, organization_id, event_name, event_type, body, committed_at)
         VALUES ($1, $2, 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', '{}', now())",
    )
    .bind(message)
    .bind(organization_id)
    .execute(&app.pool)
    .await
    .unwrap();
    let (id, lease): (uuid::Uuid, DateTime<Utc>) = sqlx::query_as(
        "INSERT INTO webhook_delivery (organization_id, endpoint_id, message_id, next_attempt_at)
         VALUES ($1, $2, $3, now() + interval '45 seconds') RETURNING id, next_attempt_at",
    )
    .bind(organization_id)
    .bind(endpoint_id)
    .bind(message)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let due = |lease| Due {
        id,
        organization_id,
        endpoint_id,
        message_id: message,
        attempts: 0,
        body: "{}".into(),
        url: "https://hooks.example.com/x".into(),
        lease,
    };
    // A NUL in the receiver's answer is stored without it.
    let answered = Attempt::answered(Utc::now(), Duration::from_millis(3), 200, "ok\0".into(), None);
    let stale = lease - chrono::Duration::seconds(60);
    record(&app.pool, &due(stale), &answered, None, Duration::from_secs(3600)).await.unwrap();
    let state: (String, i32) = sqlx::query_as("SELECT status, attempts FROM webhook_delivery WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, ("pending".to_owned(), 0), "a stale lease records nothing");
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_attempt").fetch_one(&app.pool).await.unwrap();
    assert_eq!(attempts, 0);
    record(&app.pool, &due(lease), &answered, None, Duration::from_secs(3600)).await.unwrap();
    let state: (String, i32) = sqlx::query_as("SELECT status, attempts FROM webhook_delivery WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, ("delivered".to_owned(), 1));
    let stored: String = sqlx::query_scalar("SELECT response FROM webhook_attempt").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored, "ok");
}

#[tokio::test]
async fn two_dispatchers_share_the_queue_and_deliver_each_message_once() {
    let app = app().await;
    let org = app.org("org_wh_replicas").await;
    let receiver = Receiver::accepting().await;
    let mut delivering = webhooks::deliver(&app, webhooks::dispatch_config()).await;
    delivering.add_dispatcher(&app, webhooks::dispatch_config());
    let hook = endpoint(&app, &org, &receiver.url, &[]).await;
    for n in 0..40 {
        customer(&app, &org, &format!("Replica {n}")).await;
    }
    let received = receiver.wait(30, "40 deliveries", |r| r.len() >= 40).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut ids: Vec<&str> = received.iter().map(|r| r.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((ids.len(), receiver.received().len()), (40, 40), "each message exactly once when all succeed");
    let found = deliveries(&app, &org, hook["id"].as_str().unwrap()).await;
    assert!(found.iter().all(|d| d["status"] == "delivered" && d["attempts"] == 1));
}

#[tokio::test]
async fn retention_deletes_old_finished_messages_with_their_history_and_keeps_pending_ones() {
    let app = app().await;
    let org = app.org("org_wh_retention").await;
    let receiver = Receiver::scripted(|_| Answer::Status(200)).await;
    let _delivering = webhooks::deliver(&app, webhooks::dispatch_config()).await;
    let hook = endpoint(&app, &org, &receiver.url, &[]).await;
    let id = hook["id"].as_str().unwrap();
    customer(&app, &org, "Old").await;
    eventually(&app, &org, id, 15, "the delivery", |d| d.len() == 1 && d[0]["status"] == "delivered").await;
    // A second message, still pending (its endpoint is disabled before it could go out).
    let off =
        app.core("PUT", &format!("/webhooks/endpoints/{id}"), Some(&org.token), Some(json!({"disabled": true}))).await;
    assert_eq!(off.status, 200);
    sqlx::query(
        "INSERT INTO webhook_message (id, organization_id, event_name, event_type, body, committed_at)
         VALUES (gen_random_uuid(), $1::uuid, 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', '{}', now());
         ",
    )
    .bind(&org.id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO webhook_delivery (organization_id, endpoint_id, message_id, next_attempt_at)
         SELECT organization_id, $1::uuid, id, now() FROM webhook_message WHERE body = '{}'",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE webhook_message SET created_at = now() - interval '40 days'").execute(&app.pool).await.unwrap();
    sqlx::query("INSERT INTO webhook_inbox (source, message_id, event_type, received_at) VALUES ('clerk', 'm1', 'user.created', now() - interval '40 days'), ('clerk', 'm2', 'user.created', now())")
        .execute(&app.pool)
        .await
        .unwrap();

    let deleted = kaiten_events::retention::sweep_webhooks(&app.pool, Duration::from_secs(30 * 86_400)).await.unwrap();
    assert_eq!(deleted, 2, "the delivered message and the old inbox id");
    let left: Vec<String> =
        sqlx::query_scalar("SELECT d.status FROM webhook_delivery d JOIN webhook_message m ON m.id = d.message_id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(left, ["pending"]);
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_attempt").fetch_one(&app.pool).await.unwrap();
    assert_eq!(attempts, 0, "the delivered message's attempts went with it");
    let inbox: Vec<String> =
        sqlx::query_scalar("SELECT message_id FROM webhook_inbox").fetch_all(&app.pool).await.unwrap();
    assert_eq!(inbox, ["m2"]);
}
