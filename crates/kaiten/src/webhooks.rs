//! Webhooks in the server: the settings the API needs (server key, SSRF policy, Clerk secret)
//! and the delivery workers.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kaiten_api::modules::webhook_endpoints::settings::WebhookSettings;
use kaiten_events::webhooks::dispatch::{DispatchConfig, Dispatcher};
use kaiten_events::webhooks::schedule::RetrySchedule;
use kaiten_events::webhooks::signing::SigningKey;
use kaiten_kernel::sealed::Sealer;
use rand::RngCore;
use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::cli::{DatabaseArgs, WebhookArgs};

const HOUR: u64 = 3600;

pub fn settings(args: &WebhookArgs, database: &DatabaseArgs) -> anyhow::Result<WebhookSettings> {
    let server_key = match (&args.secret_key, &database.database_url) {
        (Some(key), _) => Some(key.clone()),
        (None, None) => Some(embedded_key(&database.data_dir)?),
        (None, Some(_)) => {
            tracing::warn!("KAITEN_SECRET_KEY is not set: webhook endpoints cannot be created or delivered to");
            None
        }
    };
    let sealer = server_key.map(|key| Sealer::new(&key).context("KAITEN_SECRET_KEY")).transpose()?;
    let clerk_secret = args
        .clerk_webhook_secret
        .as_deref()
        .map(|secret| SigningKey::parse(secret).context("KAITEN_CLERK_WEBHOOK_SECRET"))
        .transpose()?;
    Ok(WebhookSettings {
        sealer: sealer.map(Arc::new),
        allow_private: args.webhook_allow_private,
        rotation_grace: Duration::from_secs(args.webhook_rotation_grace_hours.saturating_mul(HOUR)),
        clerk_secret: clerk_secret.map(Arc::new),
    })
}

/// The embedded database's server key: generated once beside the cluster, readable only by
/// the server's user. Losing it loses the webhook secrets (endpoints then need new ones).
fn embedded_key(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("secret.key");
    if let Ok(key) = std::fs::read_to_string(&path) {
        return Ok(key.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write the server key to {}", path.display()))?;
    file.write_all(key.as_bytes())?;
    tracing::info!(path = %path.display(), "generated the server key that seals webhook secrets");
    Ok(key)
}

pub fn dispatch_config(args: &WebhookArgs) -> anyhow::Result<DispatchConfig> {
    Ok(DispatchConfig {
        schedule: RetrySchedule::parse(&args.webhook_retry_schedule)
            .map_err(|err| anyhow::anyhow!("KAITEN_WEBHOOK_RETRY_SCHEDULE: {err}"))?,
        timeout: Duration::from_secs(args.webhook_timeout.max(1)),
        concurrency: args.webhook_concurrency.max(1),
        disable_after: Duration::from_secs(args.webhook_disable_after_hours.saturating_mul(HOUR)),
        allow_private: args.webhook_allow_private,
        ..DispatchConfig::default()
    })
}

/// The delivery workers of this replica, when webhooks are on and secrets can be opened.
pub fn start(
    pool: &PgPool,
    settings: &WebhookSettings,
    config: DispatchConfig,
) -> anyhow::Result<Option<JoinHandle<()>>> {
    let Some(sealer) = settings.sealer.clone() else { return Ok(None) };
    let dispatcher = Dispatcher::new(pool.clone(), sealer, config)?;
    Ok(Some(tokio::spawn(dispatcher.run())))
}
