//! Exactness under concurrency: reports racing on one counter are each counted once or
//! refused, never lost, doubled or let past the cap.

use serde_json::{Value, json};

use kaiten_testkit::spawn_app;

use crate::support::{event_names, instance_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_exact_and_never_pass_the_cap() {
    let app = spawn_app().await;
    let org = app.org("org_usage_race").await;
    instance_with(
        &app,
        &org,
        "prod",
        &[(
            json!({"name": "Calls", "slug": "calls", "description": null, "type": "NUMBER"}),
            json!({"value": {"type": "number", "value": 500}}),
        )],
    )
    .await;
    let values: Vec<u64> = (0..64).map(|i| 5 + (i * 7) % 13).collect();
    let sent: u64 = values.iter().sum();
    assert!(sent > 500, "the cap must refuse some");
    let reports = values.iter().map(|v| {
        let body = json!({"value": {"type": "number", "value": v}});
        let token = org.token.clone();
        let app = &app;
        async move { (*v, app.core("POST", "/instances/prod/entitlements/calls/usage", Some(&token), Some(body)).await) }
    });
    let replies = futures_util::future::join_all(reports).await;
    let mut accepted_sum = 0;
    let (mut accepted, mut refused) = (0, 0);
    for (v, reply) in &replies {
        match reply.status {
            200 => {
                accepted += 1;
                accepted_sum += v;
            }
            409 => {
                assert_eq!(reply.code(), "ReportEntitlementUsageMetric.ThresholdExceeded");
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", reply.text),
        }
    }
    assert_eq!(accepted + refused, 64);
    let stored: Value = sqlx::query_scalar("SELECT value FROM entitlement_usage").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored["value"].as_f64().unwrap(), accepted_sum as f64, "exactly the accepted reports");
    assert!(accepted_sum <= 500);
    assert_eq!(stored["event_count"], accepted);
    let ledger: i64 = sqlx::query_scalar("SELECT count(*) FROM usage_ledger").fetch_one(&app.pool).await.unwrap();
    assert_eq!(ledger, accepted as i64);
    assert_eq!(event_names(&app, &org.id, "ENTITLEMENT_USAGE_REPORT_ACCEPTED").await.len(), accepted);
    assert_eq!(event_names(&app, &org.id, "ENTITLEMENT_USAGE_REPORT_REJECTED").await.len(), refused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_report_retried_by_sixteen_clients_counts_once() {
    let app = spawn_app().await;
    let org = app.org("org_usage_retry_race").await;
    instance_with(
        &app,
        &org,
        "prod",
        &[(
            json!({"name": "Calls", "slug": "calls", "description": null, "type": "NUMBER"}),
            json!({"value": {"type": "number", "value": -1}}),
        )],
    )
    .await;
    let body = json!({"value": {"type": "number", "value": 3}, "transactionId": "retry-me"});
    let replies =
        futures_util::future::join_all((0..16).map(|_| {
            app.core("POST", "/instances/prod/entitlements/calls/usage", Some(&org.token), Some(body.clone()))
        }))
        .await;
    assert!(replies.iter().all(|r| r.status == 200), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    let replayed = replies.iter().filter(|r| r.headers.get("idempotent-replayed").is_some()).count();
    assert_eq!(replayed, 15, "one counted, fifteen replayed");
    assert!(replies.iter().all(|r| r.body == replies[0].body));
    let stored: Value = sqlx::query_scalar("SELECT value FROM entitlement_usage").fetch_one(&app.pool).await.unwrap();
    assert_eq!((stored["value"].clone(), stored["event_count"].clone()), (json!(3), json!(1)));
}
