//! What the webhook surfaces need from the server's configuration.

use std::sync::Arc;
use std::time::Duration;

use kaiten_events::webhooks::signing::SigningKey;
use kaiten_kernel::sealed::Sealer;

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Seals endpoint secrets at rest; without a server key, endpoints cannot be created.
    pub sealer: Option<Arc<Sealer>>,
    /// Whether endpoints may target loopback, private and link-local addresses.
    pub allow_private: bool,
    /// How long the previous secret keeps signing after a rotation, unless the request says.
    pub rotation_grace: Duration,
    /// Verifies `POST /api/webhooks/clerk`; unset, that route answers 404.
    pub clerk_secret: Option<Arc<SigningKey>>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self { sealer: None, allow_private: false, rotation_grace: Duration::from_secs(24 * 3600), clerk_secret: None }
    }
}
