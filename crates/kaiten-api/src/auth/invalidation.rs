//! Cross-replica cache invalidation. A revocation (or the deletion of what a credential
//! depends on) sends `NOTIFY kaiten_auth_invalidate` inside its transaction, so it is delivered
//! exactly when the change commits; every replica listening evicts at once. A replica whose
//! listener reconnects clears everything, since it may have missed notifications.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};

use super::Authenticator;

pub const CHANNEL: &str = "kaiten_auth_invalidate";
/// The payload that clears every cached credential and JIT resolution.
pub const EVERYTHING: &str = "*";

/// Queues the invalidation of one credential (hex digest) or of everything (`*`).
pub async fn notify(conn: &mut PgConnection, what: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(what).execute(conn).await?;
    Ok(())
}

/// Listens until the process ends, reconnecting with a back-off.
pub fn spawn_listener(pool: PgPool, auth: Arc<Authenticator>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listen(&pool, &auth).await {
                Ok(()) => {}
                Err(err) => tracing::warn!(error = %err, "auth invalidation listener lost its connection"),
            }
            auth.evict_everything();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

async fn listen(pool: &PgPool, auth: &Authenticator) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    // Anything revoked while we were not listening is forgotten now.
    auth.evict_everything();
    loop {
        match listener.try_recv().await? {
            Some(notification) => auth.evict(notification.payload()),
            // The connection dropped and will be re-established: notifications were missed.
            None => auth.evict_everything(),
        }
    }
}
