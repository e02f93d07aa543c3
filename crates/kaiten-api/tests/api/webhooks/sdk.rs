//! Independent verification: deliveries of at least one event of every module, received on
//! loopback, are checked by the official SDK's `kaitencloud.webhooks.verify_webhook` (which
//! must parse each into its typed event) and by `standardwebhooks`.

use std::io::Write;
use std::process::{Command, Stdio};

use kaiten_testkit::spawn_app_with;
use kaiten_testkit::webhooks::{self, Receiver};
use serde_json::json;

use super::{customer, endpoint};
use crate::support::instance_with;

fn python() -> std::path::PathBuf {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pyenv/bin/python");
    assert!(venv.exists(), "run scripts/test-deps (the test command does) to install the Python verifiers");
    venv
}

#[tokio::test]
async fn an_event_of_every_module_verifies_with_the_official_sdk_and_standard_webhooks() {
    let app = spawn_app_with(webhooks::api_config()).await;
    let receiver = Receiver::accepting().await;
    let _delivering = webhooks::deliver(&app, webhooks::dispatch_config()).await;
    let org = app.org("org_wh_sdk").await;
    let t = Some(org.token.as_str());
    let hook = endpoint(&app, &org, &receiver.url, &[]).await;

    customer(&app, &org, "Acme").await;
    // Entitlements, licenses and their families, grants, customers and instances.
    instance_with(
        &app,
        &org,
        "acme-prod",
        &[(
            json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"}),
            json!({"value": {"type": "number", "value": 10}}),
        )],
    )
    .await;
    let group = app
        .core("POST", "/entitlement-groups", t, Some(json!({"name": "AI", "slug": "ai", "description": null})))
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let flag = json!({
        "slug": "beta", "name": "Beta", "description": null, "type": "boolean", "enabled": true,
        "event_name": "beta_evaluated", "metadata": {},
        "variants": [{"name": "on", "description": "", "value": true}, {"name": "off", "description": "", "value": false}],
        "default_variant": {"type": "basic", "value": "off"}, "targetings": []
    });
    let flag = app.core("POST", "/feature-flags", t, Some(flag)).await;
    assert_eq!(flag.status, 201, "{}", flag.text);
    let component = app.core("POST", "/components", t, Some(json!({"name": "api", "version": "1"}))).await;
    assert_eq!(component.status, 201, "{}", component.text);
    let release = app
        .core("POST", "/releases", t, Some(json!({"version": "1.0.0", "componentIds": [component.body["id"]]})))
        .await;
    assert_eq!(release.status, 201, "{}", release.text);
    let zone = json!({"name": "Prod", "type": "production", "description": "d", "releaseId": release.body["id"]});
    let zone = app.core("POST", "/deployment-zones", t, Some(zone)).await;
    assert_eq!(zone.status, 201, "{}", zone.text);
    app.mint(&org.id, Some(&["read:customers"])).await;

    let wanted = [
        "CUSTOMER_CREATED",
        "ENTITLEMENT_CREATED",
        "LICENSE_CREATED",
        "LICENSE_ENTITLEMENT_ASSIGNED",
        "INSTANCE_CREATED",
        "ENTITLEMENT_GROUP_CREATED",
        "FEATURE_FLAG_CREATED",
        "COMPONENT_CREATED",
        "RELEASE_CREATED",
        "RELEASE_DEPLOYED",
        "DEPLOYMENT_ZONE_CREATED",
        "SYSTEM_ORGANIZATION_TOKEN_ISSUED",
    ];
    let names = |r: &[webhooks::Delivery]| -> Vec<String> {
        r.iter().map(|d| d.json()["name"].as_str().unwrap_or_default().to_owned()).collect()
    };
    let received = receiver
        .wait(30, "an event of every module", |r| {
            let got = names(r);
            wanted.iter().all(|w| got.iter().any(|g| g == w))
        })
        .await;

    let deliveries: Vec<_> = received.iter().map(|d| json!({"headers": d.headers, "body": d.body})).collect();
    let case = json!({"secret": hook["secret"], "deliveries": deliveries});
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/verify_webhooks.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(case.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let parsed: Vec<(&str, &str)> = stdout.lines().filter_map(|l| l.split_once(' ')).collect();
    assert_eq!(parsed.len(), received.len(), "{stdout}");
    for name in wanted {
        let (_, class) = parsed.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{name} not verified"));
        // CUSTOMER_CREATED → CustomerCreatedEvent, and so on: the typed event of that name.
        let expected: String = name.split('_').map(|w| w[..1].to_owned() + &w[1..].to_lowercase()).collect();
        assert!(class.starts_with(&expected[..expected.len().min(12)]), "{name} parsed as {class}");
    }
}
