//! Usage reports from N clients spread over M instances, every one authenticated by a `ksh_`.

use std::sync::Arc;

use anyhow::bail;
use serde_json::json;

use crate::Target;
use crate::run::measure;
use crate::setup;

pub async fn run(target: &Target, instances: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(target.clients).build()?;
    let api = Arc::new(setup::organization(target, &http).await?);
    setup::customer_on_license(&api, "bench", &[("calls", -1.0)], "bench-customer", instances).await?;
    let measured = measure(target.clients, target.seconds, move |n| {
        let api = api.clone();
        async move {
            let path = format!("/instances/i-{}/entitlements/calls/usage", n % instances);
            api.post(&path, json!({"value": {"type": "number", "value": 1}, "behavior": "append"})).await.is_ok()
        }
    })
    .await;
    println!("reports_ok={} errors={}", measured.ok, measured.errors);
    println!("reports_per_second={:.0}", measured.rate);
    println!("latency_ms p50={:.2} p99={:.2}", measured.p50.as_secs_f64() * 1e3, measured.p99.as_secs_f64() * 1e3);
    if measured.errors > 0 {
        bail!("{} reports failed", measured.errors);
    }
    Ok(())
}
