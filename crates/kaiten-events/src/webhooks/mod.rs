//! Outgoing webhooks, delivered by the server itself: the relay's fan-out sink queues one
//! delivery per subscribed endpoint in PostgreSQL, and the dispatchers of every replica send
//! them signed (Svix / Standard Webhooks), with retries, history and auto-disabling.

pub mod catalogue;
pub mod dispatch;
pub mod fanout;
pub mod keys;
pub mod outcome;
pub mod queue;
pub mod schedule;
pub mod signing;
pub mod target;
