//! Test kit: one throwaway PostgreSQL cluster per test binary (or `KAITEN_TEST_DATABASE_URL`),
//! a fresh database per test cloned from a migrated template, and the whole API served on
//! loopback ports, with helpers to obtain every kind of credential.

pub mod brokers;
mod cluster;
pub mod webhooks;

pub use cluster::fresh_database;
mod credentials;

use std::time::Duration;

use kaiten_api::ApiConfig;
use kaiten_api::auth::JwtConfig;
use kaiten_api::invalidation;
use serde_json::Value;
use sqlx::PgPool;
use tokio::net::TcpListener;

pub use credentials::Org;

/// The HS256 secret the test server accepts JWTs signed with.
pub const JWT_SECRET: &str = "kaiten-test-secret-that-is-long-enough";

pub struct TestApp {
    pub core_url: String,
    pub platform_url: String,
    pub pool: PgPool,
    /// The test database, for what opens its own sessions (the WAL relay).
    pub database_url: String,
    pub client: reqwest::Client,
    /// A platform credential holding every scope.
    pub platform_token: String,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The problem's `code`, for error responses.
    pub fn code(&self) -> &str {
        self.body.get("code").and_then(Value::as_str).unwrap_or_default()
    }

    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(ApiConfig::default()).await
}

pub async fn spawn_app_with(mut config: ApiConfig) -> TestApp {
    // `KAITEN_TEST_LOG=warn cargo test …` shows the server's logs, withheld causes included.
    if let Ok(filter) = std::env::var("KAITEN_TEST_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
    let url = cluster::fresh_database().await;
    let pool = kaiten_db::connect(&url, 10).await.expect("connect to the test database");
    // The test secret unless the test configures its own (an empty one, say).
    if config.jwt.secret.is_none() {
        config.jwt = JwtConfig { secret: Some(JWT_SECRET.to_owned()), ..config.jwt };
    }
    let api = kaiten_api::build(pool.clone(), &config);
    invalidation::spawn_listener(pool.clone(), api.invalidation_targets());
    let core_url = serve(api.core).await;
    let platform_url = serve(api.platform).await;
    let (_, platform_token) = kaiten_api::modules::platform::credentials::create(&pool, "test-platform", None, None)
        .await
        .expect("platform token");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    TestApp { core_url, platform_url, pool, database_url: url, client, platform_token }
}

async fn serve(router: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

impl TestApp {
    /// A request to the Core listener (`path` without the `/api` prefix).
    pub async fn core(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.send(&self.core_url, method, path, token, body.map(|b| b.to_string())).await
    }

    /// A request to the Platform listener (`path` without the `/api` prefix).
    pub async fn platform(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.send(&self.platform_url, method, path, token, body.map(|b| b.to_string())).await
    }

    /// A raw request: any body text, any listener.
    pub async fn send(&self, base: &str, method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{base}/api{path}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        self.reply(request).await
    }

    /// Sends a request built by the caller (its own headers, say) and reads the reply whole.
    pub async fn reply(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }
}
