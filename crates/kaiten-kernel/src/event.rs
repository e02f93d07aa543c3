//! An outbox event: a name (`CUSTOMER_CREATED`), a CloudEvents-style type
//! (`com.kaiten.customer.v1.created`) and the JSON payload of the contract's `webhooks:`.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: &'static str,
    pub event_type: &'static str,
    pub data: serde_json::Value,
    /// Set for instance-scoped events; becomes the audit trail's instance.
    pub instance_id: Option<uuid::Uuid>,
    /// When it happened, if not when it is written (usage events carry the report instant).
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Event {
    /// An event about an instance: it is part of that instance's audit trail.
    pub fn about_instance(mut self, instance_id: uuid::Uuid) -> Self {
        self.instance_id = Some(instance_id);
        self
    }

    pub fn at(mut self, occurred_at: chrono::DateTime<chrono::Utc>) -> Self {
        self.occurred_at = Some(occurred_at);
        self
    }
}

/// A kind of event, declared once per module next to its payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventKind {
    pub name: &'static str,
    pub event_type: &'static str,
}

impl EventKind {
    pub const fn new(name: &'static str, event_type: &'static str) -> Self {
        Self { name, event_type }
    }

    pub fn with<T: Serialize>(self, payload: &T) -> Event {
        Event {
            name: self.name,
            event_type: self.event_type,
            data: serde_json::to_value(payload).unwrap_or(serde_json::Value::Null),
            instance_id: None,
            occurred_at: None,
        }
    }
}
