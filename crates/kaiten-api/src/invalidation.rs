//! Cross-replica cache invalidation over LISTEN/NOTIFY. A change sends `NOTIFY <channel>`
//! inside its transaction, so the notification is delivered exactly when it commits; every
//! replica listening evicts at once. One connection listens on every cache's channel. A
//! listener that reconnects clears everything, since it may have missed notifications.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};

/// A cache that can be told to forget.
pub trait Invalidate: Send + Sync {
    /// Forgets what the notification's payload names.
    fn evict(&self, what: &str);
    fn evict_everything(&self);
}

/// Queues `NOTIFY channel, payload` on `conn`: delivered to every replica when (and only if)
/// the transaction commits.
pub async fn notify(conn: &mut PgConnection, channel: &str, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(conn).await?;
    Ok(())
}

/// The caches of one process and the channel each listens on.
pub type Targets = Vec<(&'static str, Arc<dyn Invalidate>)>;

/// Listens until the process ends, reconnecting with a back-off.
pub fn spawn_listener(pool: PgPool, targets: Targets) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = listen(&pool, &targets).await {
                tracing::warn!(error = %err, "cache invalidation listener lost its connection");
            }
            evict_everything(&targets);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

fn evict_everything(targets: &Targets) {
    for (_, target) in targets {
        target.evict_everything();
    }
}

async fn listen(pool: &PgPool, targets: &Targets) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen_all(targets.iter().map(|(channel, _)| *channel)).await?;
    // Anything changed while we were not listening is forgotten now.
    evict_everything(targets);
    loop {
        match listener.try_recv().await? {
            Some(notification) => {
                for (channel, target) in targets {
                    if *channel == notification.channel() {
                        target.evict(notification.payload());
                    }
                }
            }
            // The connection dropped and will be re-established: notifications were missed.
            None => evict_everything(targets),
        }
    }
}
