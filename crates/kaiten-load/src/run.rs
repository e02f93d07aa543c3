//! N clients sending one kind of request for a while; what came back, as rate and latency.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Measured {
    pub ok: usize,
    pub errors: u64,
    pub rate: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl Measured {
    pub fn print(&self, name: &str) {
        println!(
            "{name}: requests_per_second={:.0} ok={} errors={} p50_ms={:.2} p99_ms={:.2}",
            self.rate,
            self.ok,
            self.errors,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3
        );
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// Runs `clients` loops of `request(n)` (n counts each client's requests, offset per client)
/// until `seconds` have passed. A request answers whether it succeeded.
pub async fn measure<F, Fut>(clients: usize, seconds: u64, request: F) -> Measured
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|client| {
            let request = request.clone();
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0_u64);
                let mut n = client;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    if request(n).await {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                    n += clients;
                }
                (latencies, errors)
            })
        })
        .collect();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for worker in workers {
        if let Ok((l, e)) = worker.await {
            latencies.extend(l);
            errors += e;
        }
    }
    latencies.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    Measured { ok: latencies.len(), errors, rate, p50: percentile(&latencies, 0.5), p99: percentile(&latencies, 0.99) }
}
