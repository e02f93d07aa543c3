//! Flag evaluation load: (a) one flag with three CEL rules and a split, for a customer
//! targeting key (license and entitlement facts); (b) bulk evaluation of 50 flags with the same
//! context; (c) the server's static `/api/livez` as the ceiling. Same clients, same run.

use std::sync::Arc;

use anyhow::bail;
use serde_json::{Value, json};

use crate::Target;
use crate::run::{Measured, measure};
use crate::setup::{self, Api};

const CUSTOMER: &str = "bench-customer";

fn flag(slug: &str, targetings: Value) -> Value {
    json!({
        "slug": slug, "name": slug, "description": null, "type": "boolean", "enabled": true, "event_name": "bench",
        "metadata": {}, "targetings": targetings,
        "variants": [{"name": "on", "description": "", "value": true}, {"name": "off", "description": "", "value": false}],
        "default_variant": {"type": "basic", "value": "off"}
    })
}

/// Two rules that read the facts and do not match, then a split that does.
fn three_rules_and_a_split() -> Value {
    json!([
        {"type": "basic", "name": "enterprise", "variant": "on", "rule": "__kaiten.license.familySlug == 'enterprise'"},
        {"type": "basic", "name": "out-of-seats", "variant": "off",
         "rule": "__kaiten.entitlements['seats'].remaining < 1.0 && plan == 'pro'"},
        {"type": "rollout_percentage", "name": "eu-beta", "distribution": {"on": 30, "off": 70},
         "rule": "targetingKey.startsWith('bench') && region in ['eu', 'us']"}
    ])
}

async fn prepare(api: &Api) -> anyhow::Result<()> {
    setup::customer_on_license(api, "growth", &[("seats", 10.0)], CUSTOMER, 1).await?;
    api.post("/feature-flags", flag("checkout", three_rules_and_a_split())).await?;
    for i in 1..50 {
        let targetings = if i % 2 == 0 { three_rules_and_a_split() } else { Value::Null };
        api.post("/feature-flags", flag(&format!("flag-{i:02}"), targetings)).await?;
    }
    Ok(())
}

async fn scenario(api: &Arc<Api>, target: &Target, path: &'static str, post: bool) -> Measured {
    let api = api.clone();
    let context = json!({"context": {"targetingKey": CUSTOMER, "plan": "pro", "region": "eu"}});
    measure(target.clients, target.seconds, move |_| {
        let (api, context) = (api.clone(), context.clone());
        async move {
            let url = format!("{}/api{path}", api.core);
            let request =
                if post { api.http.post(url).bearer_auth(&api.token).json(&context) } else { api.http.get(url) };
            match request.send().await {
                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await
}

pub async fn run(target: &Target) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(target.clients).build()?;
    let api = Arc::new(setup::organization(target, &http).await?);
    prepare(&api).await?;
    // Warm the caches (compiled flags, facts, token) before measuring. The ceiling goes first
    // and bulk last, so the audit backlog of 50 events per bulk request weighs on nothing else.
    scenario(&api, &Target { seconds: 1, ..target.clone() }, "/ofrep/v1/evaluate/flags/checkout", true).await;
    let ceiling = scenario(&api, target, "/livez", false).await;
    ceiling.print("static");
    let single = scenario(&api, target, "/ofrep/v1/evaluate/flags/checkout", true).await;
    single.print("single");
    let bulk = scenario(&api, target, "/ofrep/v1/evaluate/flags", true).await;
    bulk.print("bulk50");
    println!("ratio_single={:.2} ratio_bulk={:.2}", single.rate / ceiling.rate, bulk.rate / ceiling.rate);
    let errors = single.errors + bulk.errors + ceiling.errors;
    if errors > 0 {
        bail!("{errors} requests failed");
    }
    Ok(())
}
