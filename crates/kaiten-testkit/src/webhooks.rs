//! Webhook delivery in tests: the server's key and SSRF policy for the test app, the relay
//! with the fan-out sink plus a dispatcher on the test database (as `kaiten serve` runs them),
//! and a receiver on loopback that records what arrives and answers as told.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use kaiten_api::ApiConfig;
use kaiten_api::modules::webhook_endpoints::settings::WebhookSettings;
pub use kaiten_events::webhooks::dispatch::DispatchConfig;
use kaiten_events::webhooks::dispatch::Dispatcher;
use kaiten_events::webhooks::fanout::FanOut;
use kaiten_events::{Metrics, Mode, RelayConfig};
use kaiten_kernel::sealed::Sealer;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::TestApp;

/// The server key the test apps seal webhook secrets with.
pub const SECRET_KEY: &str = "kaiten-test-server-key-0123456789abcdef";

/// An API configuration with a server key and loopback targets allowed.
pub fn api_config() -> ApiConfig {
    ApiConfig {
        webhooks: WebhookSettings {
            sealer: Some(Arc::new(Sealer::new(SECRET_KEY).expect("a long enough key"))),
            allow_private: true,
            ..WebhookSettings::default()
        },
        ..ApiConfig::default()
    }
}

/// A dispatcher configuration for tests: loopback allowed, quick polling.
pub fn dispatch_config() -> DispatchConfig {
    DispatchConfig { allow_private: true, poll: Duration::from_millis(100), ..DispatchConfig::default() }
}

/// The relay (WAL capture, fan-out sink) and a dispatcher; stopped when dropped.
pub struct Delivering {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Delivering {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

impl Delivering {
    /// Another dispatcher on the same queue (a second replica).
    pub fn add_dispatcher(&mut self, app: &TestApp, config: DispatchConfig) {
        self.tasks.push(dispatcher(app, config));
    }
}

/// Starts delivering the app's webhooks with `config`.
pub async fn deliver(app: &TestApp, config: DispatchConfig) -> Delivering {
    let mut relay = RelayConfig::new(app.database_url.clone(), Mode::Wal);
    relay.standby_poll = Duration::from_millis(200);
    relay.heartbeat = Duration::from_millis(500);
    let mode = kaiten_events::relay::prepare(&app.pool, Mode::Wal).await.expect("prepare the relay");
    let sinks: kaiten_events::Sinks = vec![Arc::new(FanOut::new(app.pool.clone()))];
    let relay =
        tokio::spawn(kaiten_events::relay::run(app.pool.clone(), relay, mode, sinks, Arc::new(Metrics::default())));
    Delivering { tasks: vec![relay, dispatcher(app, config)] }
}

fn dispatcher(app: &TestApp, config: DispatchConfig) -> JoinHandle<()> {
    let sealer = Arc::new(Sealer::new(SECRET_KEY).expect("a long enough key"));
    let dispatcher = Dispatcher::new(app.pool.clone(), sealer, config).expect("a dispatcher");
    tokio::spawn(dispatcher.run())
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: HashMap<String, String>,
    pub body: String,
    pub at: DateTime<Utc>,
}

impl Delivery {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    pub fn id(&self) -> &str {
        self.header("svix-id")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

/// How the receiver answers the n-th request (0-based) for one message id.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// A status with `Retry-After: <secs>`.
    RetryAfter(u16, u64),
    /// No answer for this long (longer than the dispatcher's timeout, to time it out).
    Hang(Duration),
}

type Script = Arc<dyn Fn(usize) -> Answer + Send + Sync>;

pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Delivery>>>,
    task: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// A receiver that accepts everything with 200.
    pub async fn accepting() -> Self {
        Self::scripted(|_| Answer::Status(200)).await
    }

    /// A receiver whose answer to the n-th request of a message `script(n)` decides.
    pub async fn scripted(script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        let received: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let script: Script = Arc::new(script);
        let state = (received.clone(), script);
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (received, script) = state.clone();
            async move { answer(&received, &script, &headers, body).await }
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, received, task }
    }

    pub fn received(&self) -> Vec<Delivery> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what was received; panics with `what` after `secs`.
    pub async fn wait(&self, secs: u64, what: &str, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; received {}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn answer(
    received: &Mutex<Vec<Delivery>>,
    script: &Script,
    headers: &HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let delivery = Delivery {
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Utc::now(),
    };
    let nth = {
        let mut all = received.lock().unwrap();
        let nth = all.iter().filter(|d| d.id() == delivery.id()).count();
        all.push(delivery);
        nth
    };
    match script(nth) {
        Answer::Status(code) => status(code).into_response(),
        Answer::RetryAfter(code, secs) => (status(code), [("retry-after", secs.to_string())]).into_response(),
        Answer::Hang(duration) => {
            tokio::time::sleep(duration).await;
            StatusCode::OK.into_response()
        }
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
