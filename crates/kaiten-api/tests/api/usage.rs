use serde_json::{Value, json};

use kaiten_testkit::{Org, TestApp, spawn_app};

use crate::support::{event_names, events, instance_with};

fn number(v: f64) -> Value {
    json!({"type": "number", "value": v})
}

async fn report(app: &TestApp, org: &Org, instance: &str, entitlement: &str, body: Value) -> kaiten_testkit::Reply {
    app.core("POST", &format!("/instances/{instance}/entitlements/{entitlement}/usage"), Some(&org.token), Some(body))
        .await
}

#[tokio::test]
async fn reports_fold_enforce_and_signal() {
    let app = spawn_app().await;
    let org = app.org("org_usage").await;
    instance_with(
        &app,
        &org,
        "prod",
        &[
            (json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER", "warningThresholdPercent": 80}),
             json!({"value": number(10.0)})),
            (json!({"name": "Calls", "slug": "calls", "description": null, "type": "NUMBER", "aggregationMethod": "MAX"}),
             json!({"value": number(100.0), "limitCapExceededOveragePercent": 50})),
            (json!({"name": "SSO", "slug": "sso", "description": null, "type": "BOOLEAN"}), json!({"value": {"type": "boolean", "value": true}})),
            (json!({"name": "Tokens", "slug": "tokens", "description": null, "type": "NUMBER_AI_CREDIT"}), json!({"value": number(-1.0)})),
        ],
    )
    .await;

    let first = report(&app, &org, "prod", "seats", json!({"value": number(7.0), "behavior": "append"})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["value"], json!({"type": "number", "value": 7, "event_count": 1}));
    assert_eq!(first.body["limit"], json!({"type": "number", "value": 10}));
    assert!(first.body.get("currentPeriodStart").is_none(), "a lifetime counter has no window");
    let warned = report(&app, &org, "prod", "seats", json!({"value": number(1.0)})).await;
    assert_eq!(warned.body["value"]["value"], 8, "append is the default");
    let reached = report(&app, &org, "prod", "seats", json!({"value": number(2.0)})).await;
    assert_eq!(reached.body["value"]["value"], 10);
    let over = report(&app, &org, "prod", "seats", json!({"value": number(1.0)})).await;
    assert_eq!((over.status, over.code()), (409, "ReportEntitlementUsageMetric.ThresholdExceeded"));
    let set = report(&app, &org, "prod", "seats", json!({"value": number(3.0), "behavior": "set"})).await;
    assert_eq!(set.body["value"], json!({"type": "number", "value": 3, "event_count": 1}), "set corrects downward");

    // A soft cap: 100 + 50 %.
    assert_eq!(report(&app, &org, "prod", "calls", json!({"value": number(120.0)})).await.status, 200);
    assert_eq!(
        report(&app, &org, "prod", "calls", json!({"value": number(90.0)})).await.body["value"]["value"],
        120,
        "MAX"
    );
    assert_eq!(report(&app, &org, "prod", "calls", json!({"value": number(151.0)})).await.status, 409);
    assert_eq!(
        report(&app, &org, "prod", "tokens", json!({"value": number(1e12)})).await.status,
        200,
        "-1 is unlimited"
    );

    let names = event_names(&app, &org.id, "").await;
    let count = |n: &str| names.iter().filter(|x| *x == n).count();
    assert_eq!(count("ENTITLEMENT_USAGE_REPORT_ACCEPTED"), 7);
    assert_eq!(count("ENTITLEMENT_USAGE_REPORT_REJECTED"), 2);
    assert_eq!(count("INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED"), 1, "8 crossed 80 % of 10 once");
    assert_eq!(count("INSTANCE_ENTITLEMENT_USAGE_REACHED"), 1);
    assert_eq!(count("INSTANCE_ENTITLEMENT_CAP_EXCEEDED"), 1, "120 passed the soft cap's 100 once");
    let all = events(&app, &org.id).await;
    let rejected = all.iter().find(|e| e.0 == "ENTITLEMENT_USAGE_REPORT_REJECTED").unwrap();
    assert_eq!(
        rejected.2,
        json!({"entitlement_slug": "seats", "value": 1.0, "behavior": "append", "event_count": 4, "status": "REJECTED"})
    );
    let exceeded = all.iter().find(|e| e.0 == "INSTANCE_ENTITLEMENT_CAP_EXCEEDED").unwrap();
    assert_eq!(exceeded.2, json!({"entitlement_slug": "calls", "threshold": 100.0, "value": 120.0, "overage": 20.0}));
    let warning = all.iter().find(|e| e.0 == "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED").unwrap();
    assert_eq!(warning.2["boundary"], 8.0);

    // Reads: one (recorded as a read), and the list with one row per grant.
    let one = app.core("GET", "/instances/prod/entitlements/seats/usage", Some(&org.token), None).await;
    assert_eq!((one.status, one.body["value"]["value"].clone()), (200, json!(3)));
    assert_eq!(event_names(&app, &org.id, "ENTITLEMENT_VALUE_GET").await.len(), 1);
    let list = app.core("GET", "/instances/prod/entitlements/usage", Some(&org.token), None).await.body;
    let by = |s: &str| list.as_array().unwrap().iter().find(|r| r["entitlementSlug"] == s).unwrap().clone();
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(
        by("sso")["value"],
        json!({"type": "boolean", "value": true}),
        "non-numeric grants show the license value"
    );
    assert_eq!(by("calls")["value"]["value"], 120);
    let ledger: i64 = sqlx::query_scalar("SELECT count(*) FROM usage_ledger").fetch_one(&app.pool).await.unwrap();
    assert_eq!(ledger, 7, "one ledger row per accepted report");

    // Group usage reads the same counters.
    app.core(
        "POST",
        "/entitlement-groups",
        Some(&org.token),
        Some(json!({"name": "L", "slug": "limits", "description": null})),
    )
    .await;
    for e in ["seats", "calls"] {
        let r = app
            .core(
                "POST",
                "/entitlement-groups/limits/entitlements",
                Some(&org.token),
                Some(json!({"entitlementSlug": e})),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let group = app.core("GET", "/entitlement-groups/limits/usage?instance=prod", Some(&org.token), None).await.body;
    let figures: Vec<(Value, Value)> = group
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entitlementSlug"].clone(), r["usageValue"]["value"].clone()))
        .collect();
    assert_eq!(figures, [(json!("calls"), json!(120)), (json!("seats"), json!(3))]);

    let trail = app
        .core(
            "GET",
            "/instances/prod/audit-trails?event_name=ENTITLEMENT_USAGE_REPORT_REJECTED",
            Some(&org.token),
            None,
        )
        .await;
    assert_eq!(trail.status, 200, "{}", trail.text);
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(trail.body["items"][0]["instanceSlug"], "prod");
    let page = app.core("GET", "/instances/prod/audit-trails?limit=3", Some(&org.token), None).await.body;
    assert_eq!((page["items"].as_array().unwrap().len(), page["hasMore"].clone()), (3, json!(true)));
    let next = page["nextCursor"].as_str().unwrap();
    let rest = app
        .core("GET", &format!("/instances/prod/audit-trails?limit=200&cursor={next}"), Some(&org.token), None)
        .await
        .body;
    assert!(
        rest["items"].as_array().unwrap().iter().all(|i| page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != i["id"]))
    );
    let none =
        app.core("GET", "/instances/prod/audit-trails?after=2100-01-01T00:00:00Z", Some(&org.token), None).await.body;
    assert_eq!(none["items"], json!([]));
    let bad = app.core("GET", "/instances/prod/audit-trails?before=tomorrow", Some(&org.token), None).await;
    assert_eq!((bad.status, bad.code()), (400, "GetAuditTrails.InvalidTimestamp"));
    assert_eq!(app.core("GET", "/instances/nope/audit-trails", Some(&org.token), None).await.status, 404);
}

#[tokio::test]
async fn bad_reports_are_clear_4xx_and_count_nothing() {
    let app = spawn_app().await;
    let org = app.org("org_usage_bad").await;
    instance_with(
        &app,
        &org,
        "prod",
        &[
            (
                json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
                json!({"value": number(10.0)}),
            ),
            (
                json!({"name": "SSO", "slug": "sso", "description": null, "type": "BOOLEAN"}),
                json!({"value": {"type": "boolean", "value": true}}),
            ),
        ],
    )
    .await;
    entitlement_ungranted(&app, &org).await;
    let r = "ReportEntitlementUsageMetric";
    for (path, body, status, code) in [
        ("prod/entitlements/sso", json!({"value": number(1.0)}), 400, format!("{r}.UnsupportedEntitlementType")),
        ("prod/entitlements/ungranted", json!({"value": number(1.0)}), 404, format!("{r}.ContextNotFound")),
        ("prod/entitlements/nope", json!({"value": number(1.0)}), 404, format!("{r}.ContextNotFound")),
        ("nope/entitlements/seats", json!({"value": number(1.0)}), 404, format!("{r}.ContextNotFound")),
        (
            "prod/entitlements/seats",
            json!({"value": {"type": "boolean", "value": true}}),
            422,
            format!("{r}.InvalidValueType"),
        ),
        (
            "prod/entitlements/seats",
            json!({"value": {"type": "number", "value": "1"}}),
            422,
            "UNPROCESSABLE".to_owned(),
        ),
        ("prod/entitlements/seats", json!({"value": number(1e16)}), 422, format!("{r}.InvalidValue")),
        ("prod/entitlements/seats", json!({"value": number(1.0), "behavior": "add"}), 422, "UNPROCESSABLE".to_owned()),
        (
            "prod/entitlements/seats",
            json!({"value": number(1.0), "transactionId": "has spaces"}),
            422,
            format!("{r}.InvalidTransactionId"),
        ),
        (
            "prod/entitlements/seats",
            json!({"value": number(1.0), "transactionId": "x".repeat(129)}),
            422,
            format!("{r}.InvalidTransactionId"),
        ),
        (
            "prod/entitlements/seats",
            json!({"value": number(1.0), "transactionId": 7}),
            422,
            format!("{r}.InvalidTransactionId"),
        ),
        ("prod/entitlements/seats", json!({"value": number(1.0), "at": "now"}), 422, "UNPROCESSABLE".to_owned()),
    ] {
        let reply = app.core("POST", &format!("/instances/{path}/usage"), Some(&org.token), Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code.as_str()), "{path} {body}: {}", reply.text);
    }
    for raw in [
        "{\"value\": {\"type\": \"number\", \"value\": 1e400}}",
        "{\"value\": {\"type\": \"number\", \"value\": NaN}}",
        "{",
    ] {
        let reply = app
            .send(
                &app.core_url,
                "POST",
                "/instances/prod/entitlements/seats/usage",
                Some(&org.token),
                Some(raw.to_owned()),
            )
            .await;
        assert_eq!(reply.status, 400, "{raw}: {}", reply.text);
    }
    let nul = report(&app, &org, "prod", "seats", json!({"value": number(1.0), "metadata": {"a": "x\u{0}y"}})).await;
    assert_eq!(nul.status, 400, "{}", nul.text);
    let nul_path = app.core("GET", "/instances/pr%00od/entitlements/seats/usage", Some(&org.token), None).await;
    assert_eq!((nul_path.status, nul_path.code()), (400, "Request.InvalidCharacters"));
    let wide = serde_json::Map::from_iter((0..40).map(|i| (format!("k{i}"), json!(1e308))));
    let wide = report(&app, &org, "prod", "seats", json!({"value": number(0.0), "metadata": wide})).await;
    assert_eq!(wide.status, 200, "large numbers in small metadata: {}", wide.text);
    let big = json!({"value": number(1.0), "metadata": {"blob": "x".repeat(5000)}});
    let dropped = report(&app, &org, "prod", "seats", big).await;
    assert_eq!(dropped.status, 200);
    assert_eq!(dropped.headers["kaiten-metadata-dropped"], "too_large");
    let small = report(&app, &org, "prod", "seats", json!({"value": number(1.0), "metadata": {"k": "v"}})).await;
    assert!(small.headers.get("kaiten-metadata-dropped").is_none());
    let counted: Value = sqlx::query_scalar("SELECT value FROM entitlement_usage").fetch_one(&app.pool).await.unwrap();
    assert_eq!(counted["value"], 2, "only the valid reports counted");
    let stored: Vec<Option<Value>> = sqlx::query_scalar("SELECT properties FROM usage_ledger ORDER BY report_seq")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        (stored.len(), stored[1].clone(), stored[2].clone()),
        (3, None, Some(json!({"k": "v"}))),
        "oversized metadata is dropped"
    );
}

async fn entitlement_ungranted(app: &TestApp, org: &Org) {
    crate::support::entitlement(
        app,
        org,
        json!({"name": "U", "slug": "ungranted", "description": null, "type": "NUMBER"}),
    )
    .await;
}

#[tokio::test]
async fn a_transaction_id_makes_a_retry_count_once() {
    let app = spawn_app().await;
    let org = app.org("org_usage_idem").await;
    instance_with(
        &app,
        &org,
        "prod",
        &[(
            json!({"name": "Calls", "slug": "calls", "description": null, "type": "NUMBER"}),
            json!({"value": number(1000.0)}),
        )],
    )
    .await;
    let body = json!({"value": number(5.0), "transactionId": "batch-2026-11-24:0001"});
    let first = report(&app, &org, "prod", "calls", body.clone()).await;
    assert_eq!(first.status, 200);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let retry = report(&app, &org, "prod", "calls", body).await;
    assert_eq!((retry.status, retry.headers["idempotent-replayed"].to_str().unwrap()), (200, "true"));
    assert_eq!(retry.body, first.body, "the first outcome, again");
    let other =
        report(&app, &org, "prod", "calls", json!({"value": number(6.0), "transactionId": "batch-2026-11-24:0001"}))
            .await;
    assert_eq!((other.status, other.code()), (409, "ReportEntitlementUsageMetric.TransactionIdReused"));
    assert_eq!(other.body["errors"][0]["value"]["value"], 5.0);
    assert_eq!(
        report(&app, &org, "prod", "calls", json!({"value": number(5.0)})).await.body["value"]["value"],
        10,
        "without a key, the same report counts again"
    );
    assert_eq!(
        event_names(&app, &org.id, "ENTITLEMENT_USAGE_REPORT_ACCEPTED").await.len(),
        2,
        "a replay records nothing"
    );
}

#[tokio::test]
async fn skipped_windows_roll_over_with_one_closure_each() {
    let app = spawn_app().await;
    let org = app.org("org_usage_rollover").await;
    instance_with(
        &app,
        &org,
        "prod",
        &[(
            json!({"name": "Calls", "slug": "calls", "description": null, "type": "NUMBER",
                                                "resetPeriod": "DAY"}),
            json!({"value": number(100.0)}),
        )],
    )
    .await;
    let first = report(&app, &org, "prod", "calls", json!({"value": number(40.0)})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let start = first.body["currentPeriodStart"].as_str().unwrap().to_owned();
    let end = chrono::DateTime::parse_from_rfc3339(first.body["currentPeriodEnd"].as_str().unwrap()).unwrap();
    assert_eq!((end - chrono::DateTime::parse_from_rfc3339(&start).unwrap()).num_hours(), 24);
    // The counter was last written three days ago (as if nothing was reported since).
    sqlx::query("UPDATE entitlement_usage SET period_start = period_start - interval '3 days'")
        .execute(&app.pool)
        .await
        .unwrap();
    let read = app.core("GET", "/instances/prod/entitlements/calls/usage", Some(&org.token), None).await.body;
    assert_eq!(read["value"]["value"], 0, "a stale window reads as zero");
    // Over the cap against the old total, within it in a fresh window: the window matters.
    let next = report(&app, &org, "prod", "calls", json!({"value": number(70.0)})).await;
    assert_eq!(next.status, 200, "{}", next.text);
    assert_eq!(next.body["value"], json!({"type": "number", "value": 70, "event_count": 1}));
    assert_eq!(next.body["currentPeriodStart"].as_str(), Some(start.as_str()));
    let closures: Vec<Value> = events(&app, &org.id)
        .await
        .into_iter()
        .filter(|e| e.0 == "INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER")
        .map(|e| e.2)
        .collect();
    assert_eq!(closures.len(), 3, "the stored day and the two skipped ones");
    assert_eq!((closures[0]["value"].clone(), closures[0]["is_synthetic"].clone()), (json!(40.0), json!(false)));
    assert!(closures[1..].iter().all(|c| c["is_synthetic"] == true && c["value"] == 0.0));
    assert!(closures.iter().all(|c| c["new_period_start"].as_str().is_some()));
    assert_eq!(closures[2]["closed_period_end"], closures[0]["new_period_start"]);
    let seq: i64 = sqlx::query_scalar("SELECT report_seq FROM entitlement_usage").fetch_one(&app.pool).await.unwrap();
    assert_eq!(seq, 2, "report_seq counts accepted reports and never resets");
}
