//! Webhook delivery under load: N endpoints on one fast receiver inside this process; events
//! committed straight into the server's database (each stamped with its commit clock), first
//! paced, then a burst of M events as fast as 32 connections commit them. Reports deliveries
//! per second and commit-to-delivery latency. The ceiling, measured in the same run: this
//! process POSTing the same bodies straight to the same receiver with the dispatcher's
//! concurrency — what the receiver and loopback allow.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::HeaderMap;
use serde_json::json;
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::{Target, setup};

#[derive(Default)]
struct Seen {
    /// (endpoint, message id) pairs: a redelivery is counted once.
    distinct: HashSet<(u16, String)>,
    /// Commit-to-delivery, in ms.
    latencies: Vec<f64>,
    first: Option<Instant>,
    last: Option<Instant>,
}

type Shared = Arc<Mutex<Seen>>;

pub async fn run(target: &Target, endpoints: u16, events: usize, rate: u32, database_url: &str) -> anyhow::Result<()> {
    let seen: Shared = Arc::default();
    let receiver = receive(seen.clone()).await?;
    let http = reqwest::Client::new();
    let api = setup::organization(target, &http).await?;
    for n in 0..endpoints {
        api.post(
            "/webhooks/endpoints",
            json!({"url": format!("{receiver}/hook/{n}"), "eventTypes": ["CUSTOMER_CREATED"]}),
        )
        .await?;
    }
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(32).connect(database_url).await?;
    let organization: Uuid = api.organization_id.parse()?;

    let paced_events = rate as usize * target.seconds as usize;
    println!("== paced: {rate} events/s to {endpoints} endpoints for {} s", target.seconds);
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
    for n in 0..paced_events {
        ticker.tick().await;
        commit(&pool, organization, n).await?;
    }
    let expected = paced_events * usize::from(endpoints);
    wait_for(&seen, expected, Duration::from_secs(120)).await;
    report("paced", &seen, expected);

    *seen.lock().unwrap() = Seen::default();
    println!("== burst: {events} events to {endpoints} endpoints, committed by 32 connections at once");
    let started = Instant::now();
    let writers: Vec<_> = (0..32)
        .map(|w| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for n in (w..events).step_by(32) {
                    commit(&pool, organization, n).await?;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for writer in writers {
        writer.await??;
    }
    println!("burst: committed_per_second={:.0}", events as f64 / started.elapsed().as_secs_f64());
    let expected = events * usize::from(endpoints);
    wait_for(&seen, expected, Duration::from_secs(900)).await;
    let delivered = report("burst", &seen, expected);

    let ceiling = ceiling(&receiver, Duration::from_secs(10)).await?;
    println!("ceiling: direct_posts_per_second={ceiling:.0} (64 connections, the same receiver)");
    println!("burst deliveries/s as a share of the ceiling: {:.2}", delivered / ceiling);
    Ok(())
}

async fn commit(pool: &sqlx::PgPool, organization: Uuid, n: usize) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO outbox_events (organization_id, event_name, event_type, data)
         VALUES ($1, 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created',
                 jsonb_build_object('id', gen_random_uuid(), 'name', 'load ' || $2::int,
                                    'committedAtMicros', (extract(epoch FROM clock_timestamp()) * 1e6)::bigint))",
    )
    .bind(organization)
    .bind(i32::try_from(n).unwrap_or(i32::MAX))
    .execute(pool)
    .await?;
    Ok(())
}

/// The receiver: answers 204 at once, records what arrived.
async fn receive(seen: Shared) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/hook/{n}",
        axum::routing::post(move |Path(n): Path<u16>, headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let now = Instant::now();
                let micros = chrono::Utc::now().timestamp_micros();
                let id = headers.get("svix-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let committed = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|b| b["data"]["committedAtMicros"].as_i64());
                let mut seen = seen.lock().unwrap();
                if seen.distinct.insert((n, id)) {
                    if let Some(committed) = committed {
                        seen.latencies.push((micros - committed) as f64 / 1e3);
                    }
                    seen.first.get_or_insert(now);
                    seen.last = Some(now);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

async fn wait_for(seen: &Shared, count: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline && seen.lock().unwrap().distinct.len() < count {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Prints deliveries/s and latency percentiles; answers deliveries/s.
fn report(phase: &str, seen: &Shared, expected: usize) -> f64 {
    let mut seen = seen.lock().unwrap();
    seen.latencies.sort_by(f64::total_cmp);
    let at = |p: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        seen.latencies
            .get(((seen.latencies.len().saturating_sub(1)) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let span = match (seen.first, seen.last) {
        (Some(first), Some(last)) => (last - first).as_secs_f64().max(1e-3),
        _ => 1.0,
    };
    let rate = seen.distinct.len() as f64 / span;
    println!(
        "{phase}: delivered={} of {expected} deliveries_per_second={rate:.0} commit_to_delivery_p50_ms={:.1} p99_ms={:.1} max_ms={:.1}",
        seen.distinct.len(),
        at(0.5),
        at(0.99),
        seen.latencies.last().copied().unwrap_or(0.0)
    );
    rate
}

/// POSTs from 64 concurrent tasks straight to the receiver for `duration`: requests/s.
async fn ceiling(receiver: &str, duration: Duration) -> anyhow::Result<f64> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let body = json!({"name": "CUSTOMER_CREATED", "type": "com.kaiten.customer.v1.created",
                      "data": {"id": Uuid::new_v4(), "name": "ceiling"}})
    .to_string();
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..64)
        .map(|t| {
            let (http, body, url) = (http.clone(), body.clone(), format!("{receiver}/hook/{}", 1000 + t));
            tokio::spawn(async move {
                let mut sent = 0_u64;
                while Instant::now() < deadline {
                    let id = Uuid::new_v4().to_string();
                    if http.post(&url).header("svix-id", id).body(body.clone()).send().await.is_ok() {
                        sent += 1;
                    }
                }
                sent
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await?;
    }
    Ok(total as f64 / duration.as_secs_f64())
}
