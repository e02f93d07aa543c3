//! Database access shared by the server, the CLI and the test kit.

pub mod embedded;
mod pool;

pub use embedded::{ClusterOptions, EmbeddedCluster};
pub use pool::{MIGRATOR, connect, ensure_database, migrate};
