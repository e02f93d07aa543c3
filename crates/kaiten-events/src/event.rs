//! One committed outbox row, as the relay hands it to every sink.

use std::sync::OnceLock;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct OutboxEvent {
    pub seq: i64,
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_name: String,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    /// The payload, a JSON object.
    pub data: Value,
    /// Set for instance-scoped events; becomes the `instance_id` header.
    pub instance_id: Option<Uuid>,
    /// When the writing transaction committed (the WAL says so; the poller uses the time it
    /// read the row), for the commit-to-publish latency.
    pub committed_at: DateTime<Utc>,
    /// The default body, serialized once however many sinks carry it.
    pub body: OnceLock<Bytes>,
}

/// The largest body a sink is handed: NATS refuses messages over its `max_payload`, whose
/// default is 1 MiB; leave room for the envelope.
pub const MAX_DATA_BYTES: usize = 900 * 1024;

/// Why a row cannot be published: it goes to quarantine instead. Everything a broker would
/// refuse for good is caught here, so no single event can stall the pipeline.
/// `data_len` is the payload's length as JSON text (the caller has that text already).
pub fn malformed(event_name: &str, event_type: &str, data: &Value, data_len: usize) -> Option<String> {
    if event_name.trim().is_empty() {
        Some("blank event_name".to_owned())
    } else if event_type.trim().is_empty() {
        Some("blank event_type".to_owned())
    } else if !valid_routing_key(event_type) {
        Some(
            "event_type is not a routing key: 1-200 characters in dot-separated tokens of letters, digits, _ and -"
                .to_owned(),
        )
    } else if !data.is_object() {
        Some(format!("data is not a JSON object but {}", kind(data)))
    } else if data_len > MAX_DATA_BYTES {
        Some(format!("data is larger than {MAX_DATA_BYTES} bytes"))
    } else {
        None
    }
}

/// Usable as an AMQP routing key (at most 255 bytes) and as NATS subject tokens.
fn valid_routing_key(event_type: &str) -> bool {
    event_type.len() <= 200
        && event_type.split('.').all(|token| {
            !token.is_empty() && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl OutboxEvent {
    /// The message body brokers carry by default.
    pub fn body(&self) -> Bytes {
        self.body.get_or_init(|| Bytes::from(self.serialize_body())).clone()
    }

    fn serialize_body(&self) -> Vec<u8> {
        let mut body = json!({
            "id": self.id,
            "organization_id": self.organization_id,
            "name": self.event_name,
            "type": self.event_type,
            "occurred_at": self.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "data": self.data,
        });
        if let Some(instance) = self.instance_id {
            body["instance_id"] = json!(instance);
        }
        body.to_string().into_bytes()
    }

    /// The body Debezium's PostgreSQL connector produces for this row through the CloudEvents
    /// converter (the original's consumers read `data.payload.after`, with `data` and
    /// `headers` as JSON-encoded strings).
    pub fn debezium_body(&self) -> Vec<u8> {
        let after = json!({
            "id": self.id,
            "organization_id": self.organization_id,
            "event_name": self.event_name,
            "event_type": self.event_type,
            "occurred_at": self.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "data": self.data.to_string(),
            "headers": self.headers().map(|h| h.to_string()),
        });
        json!({
            "specversion": "1.0",
            "id": self.id,
            "source": "/debezium/postgresql/kaiten",
            "type": "io.debezium.connector.postgresql.DataChangeEvent",
            "time": self.committed_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "datacontenttype": "application/json",
            "data": {
                "payload": {
                    "before": null,
                    "after": after,
                    "source": {"connector": "postgresql", "name": "kaiten", "schema": "public", "table": "outbox_events"},
                    "op": "c",
                    "ts_ms": self.committed_at.timestamp_millis(),
                }
            }
        })
        .to_string()
        .into_bytes()
    }

    /// The webhook payload: `{name, type, data}`, exactly the contract's envelope.
    pub fn webhook_body(&self) -> Vec<u8> {
        json!({"name": self.event_name, "type": self.event_type, "data": self.data}).to_string().into_bytes()
    }

    /// The producer headers the original kept in the row: the instance an event is about.
    pub fn headers(&self) -> Option<Value> {
        self.instance_id.map(|i| json!({"instance_id": i}))
    }

    /// The subject or routing key suffix: the event type, e.g. `com.kaiten.customer.v1.created`.
    pub fn routing_key(&self) -> &str {
        &self.event_type
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> OutboxEvent {
        OutboxEvent {
            seq: 7,
            id: Uuid::nil(),
            organization_id: Uuid::max(),
            event_name: "CUSTOMER_CREATED".into(),
            event_type: "com.kaiten.customer.v1.created".into(),
            occurred_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            data: json!({"slug": "acme"}),
            instance_id: Some(Uuid::nil()),
            committed_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            body: OnceLock::new(),
        }
    }

    #[test]
    fn the_debezium_body_double_encodes_data_and_headers_as_the_originals_consumer_expects() {
        let body: Value = serde_json::from_slice(&event().debezium_body()).unwrap();
        let after = &body["data"]["payload"]["after"];
        assert_eq!(after["data"], "{\"slug\":\"acme\"}");
        assert_eq!(after["headers"], format!("{{\"instance_id\":\"{}\"}}", Uuid::nil()));
        assert_eq!(after["occurred_at"], "2023-11-14T22:13:20.000000Z");
        assert_eq!(
            (after["event_name"].as_str(), body["data"]["payload"]["op"].as_str()),
            (Some("CUSTOMER_CREATED"), Some("c"))
        );
    }

    #[test]
    fn malformed_rows_are_named() {
        assert_eq!(malformed("X", "x", &json!([1]), 5).as_deref(), Some("data is not a JSON object but an array"));
        assert_eq!(malformed(" ", "x", &json!({}), 2).as_deref(), Some("blank event_name"));
        assert_eq!(malformed("X", "x", &json!({}), 2), None);
        for bad in ["a..b", "a.b c", "a.*", "a.>", &"x".repeat(201)] {
            assert!(malformed("X", bad, &json!({}), 2).is_some(), "{bad}");
        }
        let huge = json!({"blob": "x".repeat(MAX_DATA_BYTES)});
        let len = huge.to_string().len();
        assert_eq!(malformed("X", "x", &huge, len).as_deref(), Some("data is larger than 921600 bytes"));
    }
}
