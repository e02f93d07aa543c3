//! Usage metering: reports folded into per-window counters, enforced against the grant at
//! ingest, exactly once per transaction id; and the reads of where an instance stands.

pub mod config;
mod context;
mod fold;
mod pair;
pub mod read;
pub mod report;
mod rollover;
pub mod schema;
mod write;
