//! Where events go. A sink has durably accepted a batch when `publish` returns `Ok`; the relay
//! confirms its position only then, so a sink must not answer `Ok` before the broker did.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::event::OutboxEvent;

pub trait Sink: Send + Sync {
    /// A stable name: metrics labels and the `outbox_sink_progress` row.
    fn name(&self) -> &str;
    /// Publishes the batch, in order. An error means some of it may not have been accepted:
    /// the relay sends the whole batch again (consumers de-duplicate on the event id).
    fn publish<'a>(&'a self, events: &'a [OutboxEvent]) -> BoxFuture<'a, anyhow::Result<()>>;
}

pub type Sinks = Vec<Arc<dyn Sink>>;
