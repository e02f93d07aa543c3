//! A decoded `outbox_events` row to an [`OutboxEvent`], or the reason it cannot be one.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::event::{OutboxEvent, malformed};
use crate::pgoutput::Row;

/// A row that cannot be published, with what it held.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    pub seq: i64,
    pub raw: Value,
    pub reason: String,
}

pub fn to_event(row: &Row, committed_at: DateTime<Utc>) -> Result<OutboxEvent, Quarantined> {
    let text = |name: &str| row.get(name).and_then(|v| v.as_deref());
    let seq = text("seq").and_then(|s| s.parse::<i64>().ok()).unwrap_or(-1);
    let quarantine = |reason: String| Quarantined {
        seq,
        raw: Value::Object(
            row.iter().map(|(k, v)| (k.clone(), v.clone().map_or(Value::Null, Value::String))).collect(),
        ),
        reason,
    };
    let uuid = |name: &str| text(name).and_then(|s| Uuid::parse_str(s).ok());
    let (Some(id), Some(organization_id)) = (uuid("id"), uuid("organization_id")) else {
        return Err(quarantine("id or organization_id is not a UUID".into()));
    };
    if seq < 0 {
        return Err(quarantine("seq is not a number".into()));
    }
    let Some(occurred_at) = text("occurred_at").and_then(timestamp) else {
        return Err(quarantine("occurred_at is not a timestamp".into()));
    };
    let raw = text("data").unwrap_or_default();
    let Ok(data) = serde_json::from_str::<Value>(raw) else { return Err(quarantine("data is not JSON".into())) };
    let (name, kind) = (text("event_name").unwrap_or_default(), text("event_type").unwrap_or_default());
    if let Some(reason) = malformed(name, kind, &data, raw.len()) {
        return Err(quarantine(reason));
    }
    Ok(OutboxEvent {
        seq,
        id,
        organization_id,
        event_name: name.to_owned(),
        event_type: kind.to_owned(),
        occurred_at,
        data,
        instance_id: uuid("instance_id"),
        committed_at,
        body: Default::default(),
    })
}

/// PostgreSQL's text form of `timestamptz` (ISO DateStyle, any session time zone).
fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z").ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_any_session_zone_parse() {
        let utc = timestamp("2026-11-24 09:34:36.123456+00").unwrap();
        assert_eq!(timestamp("2026-11-24 10:34:36.123456+01").unwrap(), utc);
        assert_eq!(timestamp("2026-11-24 15:04:36.123456+05:30").unwrap(), utc);
        assert!(timestamp("2026-11-24 09:34:36+00").is_some());
        assert!(timestamp("yesterday").is_none());
    }
}
