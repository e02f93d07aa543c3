//! The event pipeline: committed `outbox_events` rows, captured from the WAL (or polled where
//! logical replication is unavailable), handed to every sink — RabbitMQ, NATS JetStream, and
//! in-process consumers — at least once, in commit order; the position advances only after
//! every sink accepted.

mod connection;
pub mod delivery;
pub mod event;
pub mod metrics;
pub mod nats;
pub mod pgoutput;
pub mod poll;
pub mod rabbitmq;
pub mod relay;
pub mod retention;
pub mod row;
pub mod sink;
pub mod status;
pub mod wal;
pub mod webhooks;

pub use event::OutboxEvent;
pub use metrics::Metrics;
pub use relay::{Mode, RelayConfig};
pub use sink::{Sink, Sinks};
