//! Signatures checked by independent verifiers: the official Python SDK's
//! `kaitencloud.webhooks.verify_webhook` (which must also parse the body into its typed event)
//! and the reference `standardwebhooks` library, during a rotation (two keys) too.

use std::process::Command;

use chrono::Utc;
use kaiten_events::OutboxEvent;
use kaiten_events::webhooks::signing::{SigningKey, headers, sign};
use serde_json::json;
use uuid::Uuid;

fn python() -> std::path::PathBuf {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pyenv/bin/python");
    assert!(venv.exists(), "run scripts/test-deps (the test command does) to install the Python verifiers");
    venv
}

const VERIFY: &str = r#"
import json, sys
import kaitencloud.webhooks as kw
import standardwebhooks
case = json.load(sys.stdin)
for secret in case["secrets"]:
    event = kw.verify_webhook(case["body"], case["headers"], secret=secret)
    assert type(event).__name__ == "CustomerCreatedEvent", type(event).__name__
    standardwebhooks.Webhook(secret).verify(case["body"], {k: v for k, v in case["headers"].items() if k.startswith("webhook-")})
try:
    kw.verify_webhook(case["body"], case["headers"], secret=case["wrong"])
    raise SystemExit("a wrong secret verified")
except kw.WebhookVerificationError:
    pass
print("ok")
"#;

#[test]
fn the_official_sdk_and_standard_webhooks_verify_our_signatures() {
    let now = Utc::now();
    let customer = json!({
        "id": Uuid::new_v4(), "name": "Acme", "slug": "acme",
        "createdAt": now, "createdBy": {"id": Uuid::new_v4(), "name": "Kaiten"},
        "updatedAt": now, "updatedBy": {"id": Uuid::new_v4()}
    });
    let event = OutboxEvent {
        seq: 1,
        id: Uuid::new_v4(),
        organization_id: Uuid::new_v4(),
        event_name: "CUSTOMER_CREATED".into(),
        event_type: "com.kaiten.customer.v1.created".into(),
        occurred_at: now,
        data: customer,
        instance_id: None,
        committed_at: now,
        body: Default::default(),
    };
    let body = String::from_utf8(event.webhook_body()).unwrap();
    let (old, new) = (SigningKey::generate(), SigningKey::generate());
    let id = format!("msg_{}", event.id.simple());
    let signature = sign(&[new.clone(), old.clone()], &id, now.timestamp(), body.as_bytes());
    let headers: serde_json::Map<String, serde_json::Value> =
        headers(&id, now.timestamp(), &signature).into_iter().map(|(k, v)| (k.to_owned(), json!(v))).collect();
    let case = json!({
        "body": body, "headers": headers,
        "secrets": [old.to_secret(), new.to_secret()],
        "wrong": SigningKey::generate().to_secret(),
    });
    let mut child = Command::new(python())
        .args(["-c", VERIFY])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(case.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}
