//! Incoming webhooks, signed by their senders. Each message id is recorded in `webhook_inbox`
//! in the transaction that applies it, so a redelivery is acknowledged without effect.

mod apply;
pub mod clerk;
mod clerk_events;
