//! The event pipeline under load: customers created through the API at a fixed rate (each
//! commits one `CUSTOMER_CREATED`), consumed from RabbitMQ and NATS JetStream; then events
//! committed straight into the database as fast as N connections can. Reports commit-to-broker
//! latency per sink, the drain rate at each broker (the pipeline's ceiling) and the largest
//! replication lag the server reported meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kaiten_testkit::brokers::{self, Received};
use serde_json::json;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::{Target, setup};

const CEILING_PER_CLIENT: usize = 2_000;

pub async fn run(target: &Target, rate: u32, database_url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let api = Arc::new(setup::organization(target, &http).await?);
    let org: Uuid = api.organization_id.parse()?;
    let (rabbit, nats) = (brokers::rabbitmq(org).await, brokers::nats(org).await);
    let lag = Arc::new(AtomicUsize::new(0));
    let sampler = tokio::spawn(sample_lag(http.clone(), target.platform.clone(), lag.clone()));

    println!("== paced: {rate} events/s for {} s", target.seconds);
    let ok = paced(&api, rate, target.seconds).await;
    let drained = wait_for(&[&rabbit, &nats], ok, Duration::from_secs(60)).await;
    for (name, received) in [("rabbitmq", &rabbit), ("nats", &nats)] {
        report(name, received, 0);
    }
    println!("paced: committed={ok} all_arrived={drained} max_lag_bytes={}", lag.load(Ordering::Relaxed));

    let before = rabbit.lock().unwrap().len().min(nats.lock().unwrap().len());
    let events = target.clients * CEILING_PER_CLIENT;
    println!("== ceiling: {events} events committed by {} clients straight into the database", target.clients);
    let started = Instant::now();
    commit_directly(database_url, &api.organization_id, target.clients).await?;
    let committed_in = started.elapsed().as_secs_f64();
    wait_for(&[&rabbit, &nats], before + events, Duration::from_secs(120)).await;
    println!("ceiling: committed_per_second={:.0}", events as f64 / committed_in);
    for (name, received) in [("rabbitmq", &rabbit), ("nats", &nats)] {
        let messages = received.lock().unwrap();
        let (Some(first), Some(last)) = (messages.get(before), messages.last()) else { continue };
        let span = (last.received_at - first.received_at).num_milliseconds().max(1) as f64 / 1e3;
        let count = messages.len() - before;
        println!("ceiling {name}: events={count} drained_per_second={:.0}", count as f64 / span);
        drop(messages);
        report(name, received, before);
    }
    println!("max_lag_bytes={}", lag.load(Ordering::Relaxed));
    sampler.abort();
    Ok(())
}

/// `clients` connections each committing `CEILING_PER_CLIENT` events, one per transaction.
async fn commit_directly(url: &str, organization_id: &str, clients: usize) -> anyhow::Result<()> {
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(clients as u32).connect(url).await?;
    let organization: Uuid = organization_id.parse()?;
    let writers = (0..clients).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move {
            for n in 0..CEILING_PER_CLIENT {
                sqlx::query(
                    "INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                     VALUES ($1, 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created',
                             jsonb_build_object('id', gen_random_uuid(), 'name', 'ceiling ' || $2::int))",
                )
                .bind(organization)
                .bind(n as i32)
                .execute(&pool)
                .await?;
            }
            anyhow::Ok(())
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await??;
    }
    Ok(())
}

/// Customers created at `rate` per second (each request its own task, at most 512 in flight).
async fn paced(api: &Arc<setup::Api>, rate: u32, seconds: u64) -> usize {
    let ok = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(Semaphore::new(512));
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut n = 0_u64;
    let mut tasks = Vec::new();
    while Instant::now() < deadline {
        ticker.tick().await;
        let Ok(permit) = permits.clone().acquire_owned().await else { break };
        let (api, ok) = (api.clone(), ok.clone());
        n += 1;
        tasks.push(tokio::spawn(async move {
            if api.post("/customers", json!({"name": format!("paced {n}")})).await.is_ok() {
                ok.fetch_add(1, Ordering::Relaxed);
            }
            drop(permit);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    ok.load(Ordering::Relaxed)
}

async fn wait_for(consumers: &[&Received], count: usize, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if consumers.iter().all(|c| c.lock().unwrap().len() >= count) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Commit-to-broker latency of the messages from `skip` on: arrival minus the event's
/// `occurred_at` (the insert's clock, within a millisecond of the commit).
fn report(name: &str, received: &Received, skip: usize) {
    let mut latencies: Vec<f64> = received.lock().unwrap()[skip..]
        .iter()
        .filter_map(|m| {
            let occurred = chrono::DateTime::parse_from_rfc3339(m.body["occurred_at"].as_str()?).ok()?;
            Some((m.received_at - occurred.with_timezone(&chrono::Utc)).num_microseconds()? as f64 / 1e3)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        latencies.get(((latencies.len().saturating_sub(1)) as f64 * p).round() as usize).copied().unwrap_or(0.0)
    };
    let distinct: std::collections::HashSet<Uuid> = received.lock().unwrap()[skip..].iter().map(|m| m.id).collect();
    println!(
        "{name}: messages={} distinct={} commit_to_broker_p50_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        latencies.len(),
        distinct.len(),
        at(0.5),
        at(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
}

/// The largest `kaiten_outbox_lag_bytes` the server's /metrics reports, sampled twice a second.
async fn sample_lag(http: reqwest::Client, platform: String, max: Arc<AtomicUsize>) {
    loop {
        if let Ok(response) = http.get(format!("{platform}/metrics")).send().await
            && let Ok(text) = response.text().await
            && let Some(value) = text.lines().find_map(|l| l.strip_prefix("kaiten_outbox_lag_bytes "))
            && let Ok(bytes) = value.trim().parse::<usize>()
        {
            max.fetch_max(bytes, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
