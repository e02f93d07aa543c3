//! The relay's Prometheus metrics, kept in atomics and rendered in the text exposition format
//! (no registry crate: a handful of series).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

/// Upper bounds of the commit-to-publish latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// A per-sink series: name, kind, help, and its value for one sink.
type Family = (&'static str, &'static str, &'static str, fn(&SinkSeries) -> String);

#[derive(Default)]
pub struct Metrics {
    sinks: Mutex<BTreeMap<String, SinkSeries>>,
    quarantined: AtomicU64,
    leader: AtomicBool,
    /// Bytes of WAL the slot still holds back, as last measured.
    lag_bytes: AtomicI64,
    /// Events committed but not yet confirmed by every sink, as last measured.
    lag_events: AtomicI64,
}

#[derive(Default, Clone)]
struct SinkSeries {
    published: u64,
    retried: u64,
    last_publish_unix: f64,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub fn published(&self, sink: &str, latencies: impl Iterator<Item = f64>, now_unix: f64) {
        let mut sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner());
        let series = sinks.entry(sink.to_owned()).or_default();
        for seconds in latencies {
            series.published += 1;
            series.count += 1;
            series.sum += seconds;
            for (bucket, bound) in series.buckets.iter_mut().zip(BUCKETS) {
                if seconds <= bound {
                    *bucket += 1;
                }
            }
        }
        series.last_publish_unix = now_unix;
    }

    pub fn retried(&self, sink: &str) {
        let mut sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner());
        sinks.entry(sink.to_owned()).or_default().retried += 1;
    }

    pub fn quarantined(&self, count: u64) {
        self.quarantined.fetch_add(count, Ordering::Relaxed);
    }

    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::Relaxed);
    }

    pub fn set_lag(&self, bytes: i64, events: i64) {
        self.lag_bytes.store(bytes, Ordering::Relaxed);
        self.lag_events.store(events, Ordering::Relaxed);
    }

    pub fn published_total(&self, sink: &str) -> u64 {
        self.sinks.lock().unwrap_or_else(|e| e.into_inner()).get(sink).map_or(0, |s| s.published)
    }

    pub fn quarantined_total(&self) -> u64 {
        self.quarantined.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let per_sink: [Family; 3] = [
            ("kaiten_outbox_published_total", "counter", "Events a sink accepted.", |s| s.published.to_string()),
            ("kaiten_outbox_retried_total", "counter", "Batches a sink failed and was sent again.", |s| {
                s.retried.to_string()
            }),
            ("kaiten_outbox_last_publish_timestamp_seconds", "gauge", "When a sink last accepted a batch.", |s| {
                format!("{:.3}", s.last_publish_unix)
            }),
        ];
        for (name, kind, help, value) in per_sink {
            let name = family_line(&mut out, name, kind, help);
            for (sink, series) in &sinks {
                let _ = writeln!(out, "{name}{{sink=\"{sink}\"}} {}", value(series));
            }
        }
        let mut body = String::new();
        let latency = family_line(
            &mut out,
            "kaiten_outbox_commit_to_publish_seconds",
            "histogram",
            "From the writing transaction's commit to the sink's confirmation.",
        );
        for (sink, s) in &sinks {
            for (bound, count) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(body, "{latency}_bucket{{sink=\"{sink}\",le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(body, "{latency}_bucket{{sink=\"{sink}\",le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(body, "{latency}_sum{{sink=\"{sink}\"}} {:.6}", s.sum);
            let _ = writeln!(body, "{latency}_count{{sink=\"{sink}\"}} {}", s.count);
        }
        out.push_str(&body);
        let gauges = [
            (
                "kaiten_outbox_quarantined_total",
                "counter",
                "Outbox rows that could not be published.",
                self.quarantined.load(Ordering::Relaxed) as i64,
            ),
            (
                "kaiten_outbox_relay_leader",
                "gauge",
                "1 while this process holds the relay.",
                i64::from(self.leader.load(Ordering::Relaxed)),
            ),
            (
                "kaiten_outbox_lag_bytes",
                "gauge",
                "WAL the replication slot still holds back.",
                self.lag_bytes.load(Ordering::Relaxed),
            ),
            (
                "kaiten_outbox_lag_events",
                "gauge",
                "Committed events not yet confirmed by every sink.",
                self.lag_events.load(Ordering::Relaxed),
            ),
        ];
        for (name, kind, help, value) in gauges {
            let name = family_line(&mut out, name, kind, help);
            let _ = writeln!(out, "{name} {value}");
        }
        out
    }
}

fn family_line(out: &mut String, name: &str, kind: &str, help: &str) -> String {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_labelled_per_sink() {
        let metrics = Metrics::default();
        metrics.published("nats", [0.0015, 0.03, 7.0].into_iter(), 1.0);
        metrics.retried("nats");
        let text = metrics.render();
        assert!(text.contains("kaiten_outbox_published_total{sink=\"nats\"} 3"), "{text}");
        assert!(text.contains("kaiten_outbox_commit_to_publish_seconds_bucket{sink=\"nats\",le=\"0.002\"} 1"));
        assert!(text.contains("kaiten_outbox_commit_to_publish_seconds_bucket{sink=\"nats\",le=\"0.05\"} 2"));
        assert!(text.contains("kaiten_outbox_commit_to_publish_seconds_bucket{sink=\"nats\",le=\"+Inf\"} 3"));
        assert!(text.contains("kaiten_outbox_retried_total{sink=\"nats\"} 1"));
    }
}
