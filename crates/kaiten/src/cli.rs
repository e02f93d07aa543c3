//! Every setting is a flag and an environment variable (flags win); `--help` lists them all.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "kaiten", version, about = "Kaiten control plane: licenses, entitlements, usage, flags and releases")]
pub struct Cli {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the API server (public and platform listeners).
    Serve(Box<ServeArgs>),
    /// Apply the embedded migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage platform credentials (ksm_).
    #[command(subcommand)]
    PlatformToken(PlatformTokenCommand),
    /// Print the generated OpenAPI document.
    Openapi(OpenapiArgs),
    /// Print the GraphQL schema (SDL).
    GraphqlSchema,
    /// Inspect the event pipeline.
    #[command(subcommand)]
    Outbox(OutboxCommand),
}

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// The relay's position: slot, lag in bytes and events, last publish per sink, quarantine.
    Status {
        #[command(flatten)]
        database: DatabaseArgs,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct LogArgs {
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long = "log", env = "KAITEN_LOG", default_value = "info", global = true)]
    pub filter: String,
    /// Log format: text or json.
    #[arg(long = "log-format", env = "KAITEN_LOG_FORMAT", default_value = "text", global = true)]
    pub format: String,
}

#[derive(Args, Clone)]
pub struct DatabaseArgs {
    /// PostgreSQL server to use. Unset: a private cluster in KAITEN_DATA_DIR.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the embedded cluster lives.
    #[arg(long, env = "KAITEN_DATA_DIR", default_value = ".kaiten")]
    pub data_dir: PathBuf,
    /// Directory of the PostgreSQL binaries (initdb, postgres) for the embedded cluster.
    #[arg(long, env = "KAITEN_PG_BINDIR")]
    pub pg_bindir: Option<PathBuf>,
    /// Size of the connection pool. A few per core serves best: more backends than cores only
    /// contend (measured with bench/usage).
    #[arg(long, env = "KAITEN_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub max_connections: u32,
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address of the public listener.
    #[arg(long, env = "KAITEN_HOST", default_value = "0.0.0.0")]
    pub host: IpAddr,
    /// Port of the public listener (Core API, docs).
    #[arg(long, env = "KAITEN_PORT", default_value_t = 6060)]
    pub port: u16,
    /// Address of the platform listener; loopback by default, since its credentials are powerful.
    #[arg(long, env = "KAITEN_PLATFORM_HOST", default_value = "127.0.0.1")]
    pub platform_host: IpAddr,
    /// Port of the platform listener (/api/platform/...).
    #[arg(long, env = "KAITEN_PLATFORM_PORT", default_value_t = 6001)]
    pub platform_port: u16,
    /// HS256 secret for JWTs (development).
    #[arg(long, env = "KAITEN_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// JWKS URL for RS256/ES256 JWTs (production).
    #[arg(long, env = "KAITEN_JWKS_URL")]
    pub jwks_url: Option<String>,
    /// Required `iss` of JWTs, when set.
    #[arg(long, env = "KAITEN_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` of JWTs, when set.
    #[arg(long, env = "KAITEN_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Longest a request may run, in seconds.
    #[arg(long, env = "KAITEN_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Largest request body, in bytes.
    #[arg(long, env = "KAITEN_BODY_LIMIT", default_value_t = 1_048_576)]
    pub body_limit: usize,
    /// How long in-flight requests may finish after SIGTERM/SIGINT, in seconds.
    #[arg(long, env = "KAITEN_SHUTDOWN_GRACE", default_value_t = 20)]
    pub shutdown_grace: u64,
    /// How long a usage report's `transactionId` is remembered, in hours (default 35 days).
    #[arg(long, env = "KAITEN_USAGE_IDEMPOTENCY_WINDOW_HOURS", default_value_t = 840)]
    pub usage_idempotency_window_hours: u64,
    /// The most usage windows one report may close at once (skipped windows are closed empty).
    #[arg(long, env = "KAITEN_USAGE_ROLLOVER_MAX_CLOSURES", default_value_t = 100_000)]
    pub usage_rollover_max_closures: usize,
    /// How long the `__kaiten` targeting facts of a customer or instance are reused by flag
    /// evaluation, in milliseconds: the staleness bound of license and usage facts in rules.
    #[arg(long, env = "KAITEN_FLAG_FACTS_TTL_MS", default_value_t = 1000)]
    pub flag_facts_ttl_ms: u64,
    #[command(flatten)]
    pub outbox: OutboxArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    /// Allow GraphQL introspection (development; off in production).
    #[arg(long, env = "KAITEN_GRAPHQL_INTROSPECTION", default_value_t = false, action = clap::ArgAction::Set)]
    pub graphql_introspection: bool,
}

/// Outgoing webhooks (delivered by this server) and incoming identity events.
#[derive(Args)]
pub struct WebhookArgs {
    /// Encrypts webhook signing secrets at rest (32 characters or more). Unset with the
    /// embedded database: one is generated into KAITEN_DATA_DIR. Unset with DATABASE_URL:
    /// webhook endpoints cannot be created.
    #[arg(long, env = "KAITEN_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Deliver outgoing webhooks from this replica (the queue is shared by all replicas).
    #[arg(long, env = "KAITEN_WEBHOOKS", default_value_t = true, action = clap::ArgAction::Set)]
    pub webhooks: bool,
    /// Waits between attempts of a failing delivery (Go durations, comma-separated).
    #[arg(long, env = "KAITEN_WEBHOOK_RETRY_SCHEDULE", default_value = kaiten_events::webhooks::schedule::DEFAULT)]
    pub webhook_retry_schedule: String,
    /// Longest one delivery request may take, in seconds.
    #[arg(long, env = "KAITEN_WEBHOOK_TIMEOUT", default_value_t = 15)]
    pub webhook_timeout: u64,
    /// Delivery requests in flight at once, per replica.
    #[arg(long, env = "KAITEN_WEBHOOK_CONCURRENCY", default_value_t = 64)]
    pub webhook_concurrency: usize,
    /// An endpoint whose every attempt failed for this many hours is disabled.
    #[arg(long, env = "KAITEN_WEBHOOK_DISABLE_AFTER_HOURS", default_value_t = 120)]
    pub webhook_disable_after_hours: u64,
    /// How long the previous secret keeps signing after a rotation, in hours.
    #[arg(long, env = "KAITEN_WEBHOOK_ROTATION_GRACE_HOURS", default_value_t = 24)]
    pub webhook_rotation_grace_hours: u64,
    /// Allow endpoints on loopback, private and link-local addresses (SSRF protection off).
    #[arg(long, env = "KAITEN_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_private: bool,
    /// The Svix signing secret (whsec_…) of Clerk's webhooks to `POST /api/webhooks/clerk`.
    #[arg(long, env = "KAITEN_CLERK_WEBHOOK_SECRET", hide_env_values = true)]
    pub clerk_webhook_secret: Option<String>,
}

/// The event pipeline: how committed events are captured and where they are published.
#[derive(Args)]
pub struct OutboxArgs {
    /// `wal` (logical replication; falls back to `poll`, with a warning, where wal_level is not
    /// logical), `poll`, or `off` (events are recorded and nothing relays them).
    #[arg(long, env = "KAITEN_OUTBOX_MODE", default_value = "wal", value_parser = ["wal", "poll", "off"])]
    pub outbox_mode: String,
    /// RabbitMQ to publish to (topic exchange `kaiten.events`), e.g. amqp://user:pass@host:5672/%2f.
    #[arg(long, env = "KAITEN_RABBITMQ_URL", hide_env_values = true)]
    pub rabbitmq_url: Option<String>,
    /// Publish the envelope Debezium's outbox pipeline produced, for the original's consumers.
    #[arg(long, env = "KAITEN_RABBITMQ_DEBEZIUM_ENVELOPE", default_value_t = false)]
    pub rabbitmq_debezium_envelope: bool,
    /// NATS to publish to (JetStream stream `KAITEN_EVENTS`, subjects `kaiten.events.<type>`).
    #[arg(long, env = "KAITEN_NATS_URL", hide_env_values = true)]
    pub nats_url: Option<String>,
    /// The most events one publish carries.
    #[arg(long, env = "KAITEN_OUTBOX_BATCH", default_value_t = 500)]
    pub outbox_batch: usize,
    /// Organization-level events are deleted this many days after they happened (once relayed).
    #[arg(long, env = "KAITEN_OUTBOX_RETENTION_DAYS", default_value_t = 30)]
    pub outbox_retention_days: u64,
    /// Instance events are the instances' audit trails: kept unless this is set.
    #[arg(long, env = "KAITEN_AUDIT_RETENTION_DAYS")]
    pub audit_retention_days: Option<u64>,
}

#[derive(Subcommand)]
pub enum PlatformTokenCommand {
    /// Create a credential; its secret is the last line printed, shown only this once.
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Unique name among active platform credentials.
        #[arg(long)]
        name: String,
        /// A scope to grant (repeatable). Default: every scope there is.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Lifetime as a Go duration ("24h", "90m"). Default: no expiry.
        #[arg(long)]
        ttl: Option<String>,
    },
    /// List active credentials (never their secrets).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a credential and every organization token it minted.
    Revoke {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        name: String,
    },
}

#[derive(Args)]
pub struct OpenapiArgs {
    /// The Platform API document instead of the Core one.
    #[arg(long)]
    pub platform: bool,
    /// YAML instead of JSON.
    #[arg(long)]
    pub yaml: bool,
}
