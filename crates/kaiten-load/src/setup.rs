//! An organization and its token through the Platform API, then anything else through the
//! Core API with that token.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::Target;

pub struct Api {
    pub organization_id: String,
    pub http: reqwest::Client,
    pub core: String,
    pub token: String,
}

impl Api {
    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
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

pub async fn organization(target: &Target, http: &reqwest::Client) -> anyhow::Result<Api> {
    let suffix = std::process::id();
    let org: Value = http
        .post(format!("{}/api/platform/organizations", target.platform))
        .bearer_auth(&target.platform_token)
        .json(&json!({"externalId": format!("bench_{suffix}"), "name": "Bench"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let org_id = org["id"].as_str().context("organization id")?;
    let minted: Value = http
        .post(format!("{}/api/platform/organizations/{org_id}/tokens", target.platform))
        .bearer_auth(&target.platform_token)
        .json(&json!({"name": format!("bench-{suffix}")}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Api {
        organization_id: org_id.to_owned(),
        http: http.clone(),
        core: target.core.clone(),
        token: minted["token"].as_str().context("token")?.to_owned(),
    })
}

/// A license `slug` granting `grants` (entitlement slug, value), a customer `customer` and
/// `instances` instances of it on that license.
pub async fn customer_on_license(
    api: &Api,
    slug: &str,
    grants: &[(&str, f64)],
    customer: &str,
    instances: usize,
) -> anyhow::Result<()> {
    let plan = api
        .post("/licenses", json!({"name": slug, "slug": slug, "description": "d", "type": "PAID", "isDefault": false}))
        .await?;
    for (entitlement, value) in grants {
        api.post(
            "/entitlements",
            json!({"name": entitlement, "slug": entitlement, "description": null, "type": "NUMBER"}),
        )
        .await?;
        api.post(
            &format!("/licenses/{slug}/entitlements"),
            json!({"entitlementSlug": entitlement, "value": {"type": "number", "value": value}}),
        )
        .await?;
    }
    let customer = api.post("/customers", json!({"name": customer, "slug": customer})).await?;
    for i in 0..instances {
        api.post(
            "/instances",
            json!({"name": format!("i{i}"), "slug": format!("i-{i}"), "description": "", "customerId": customer["id"],
                   "licenseId": plan["id"], "startLicenseDate": "2026-01-01T00:00:00Z",
                   "endLicenseDate": "2030-01-01T00:00:00Z"}),
        )
        .await?;
    }
    Ok(())
}
