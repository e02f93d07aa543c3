//! `kaiten-load usage`: N clients append usage to M instances of a running server for a while,
//! each report authenticated by a `ksh_` token; prints reports/s and latency percentiles.
//! Setup (organization, token, entitlement, license, grant, customer, instances) goes through
//! the API, so it measures exactly what a product would see.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// Core API base, e.g. http://127.0.0.1:6060
    #[arg(long)]
    core: String,
    /// Platform API base, e.g. http://127.0.0.1:6001
    #[arg(long)]
    platform: String,
    /// A platform credential (ksm_) that may mint organization tokens.
    #[arg(long, env = "KAITEN_PLATFORM_TOKEN")]
    platform_token: String,
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 100)]
    instances: usize,
    #[arg(long, default_value_t = 30)]
    seconds: u64,
}

struct Api {
    http: reqwest::Client,
    core: String,
    token: String,
}

impl Api {
    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let response =
            self.http.post(format!("{}/api{path}", self.core)).bearer_auth(&self.token).json(&body).send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("POST {path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

async fn setup(args: &Args, http: &reqwest::Client) -> anyhow::Result<Api> {
    let suffix = std::process::id();
    let org: Value = http
        .post(format!("{}/api/platform/organizations", args.platform))
        .bearer_auth(&args.platform_token)
        .json(&json!({"externalId": format!("bench_{suffix}"), "name": "Bench"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let org_id = org["id"].as_str().context("organization id")?;
    let minted: Value = http
        .post(format!("{}/api/platform/organizations/{org_id}/tokens", args.platform))
        .bearer_auth(&args.platform_token)
        .json(&json!({"name": format!("bench-{suffix}")}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let api = Api {
        http: http.clone(),
        core: args.core.clone(),
        token: minted["token"].as_str().context("token")?.to_owned(),
    };
    api.post("/entitlements", json!({"name": "Calls", "slug": "calls", "description": null, "type": "NUMBER"})).await?;
    let plan = api
        .post(
            "/licenses",
            json!({"name": "Bench", "slug": "bench", "description": "d", "type": "PAID", "isDefault": false}),
        )
        .await?;
    api.post(
        "/licenses/bench/entitlements",
        json!({"entitlementSlug": "calls", "value": {"type": "number", "value": -1}}),
    )
    .await?;
    let customer = api.post("/customers", json!({"name": "Bench customer"})).await?;
    for i in 0..args.instances {
        api.post(
            "/instances",
            json!({"name": format!("i{i}"), "slug": format!("i-{i}"), "description": "", "customerId": customer["id"],
                   "licenseId": plan["id"], "startLicenseDate": "2026-01-01T00:00:00Z",
                   "endLicenseDate": "2030-01-01T00:00:00Z"}),
        )
        .await?;
    }
    Ok(api)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.clients).build()?;
    let api = std::sync::Arc::new(setup(&args, &http).await?);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for client in 0..args.clients {
        let (api, instances) = (api.clone(), args.instances);
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0_u64);
            let mut n = client;
            while Instant::now() < deadline {
                let path = format!("/instances/i-{}/entitlements/calls/usage", n % instances);
                n += 1;
                let sent = Instant::now();
                match api.post(&path, json!({"value": {"type": "number", "value": 1}, "behavior": "append"})).await {
                    Ok(_) => latencies.push(sent.elapsed()),
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (l, e) = worker.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let rate = latencies.len() as f64 / elapsed;
    println!("reports_ok={} errors={errors} seconds={elapsed:.1}", latencies.len());
    println!("reports_per_second={rate:.0}");
    println!(
        "latency_ms p50={:.2} p99={:.2}",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    if errors > 0 {
        bail!("{errors} reports failed");
    }
    Ok(())
}
