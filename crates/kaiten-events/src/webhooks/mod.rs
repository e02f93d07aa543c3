//! Outgoing webhooks: signing now; the fan-out sink and the delivery worker build on it.

pub mod signing;
