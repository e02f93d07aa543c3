//! How usage reports are deduplicated and rolled over: set at start, read by the report path.

/// How usage reports are deduplicated and rolled over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageConfig {
    /// How long a `transactionId` is remembered, in seconds.
    pub idempotency_window_secs: f64,
    /// The most usage windows one report may close at once.
    pub max_closures: usize,
}

impl Default for UsageConfig {
    fn default() -> Self {
        Self { idempotency_window_secs: 35.0 * 24.0 * 3600.0, max_closures: 100_000 }
    }
}
