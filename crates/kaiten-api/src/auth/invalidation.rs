//! The authentication caches' channel. A revocation (or the deletion of what a credential
//! depends on) notifies it inside its transaction; see `crate::invalidation`.

use sqlx::PgConnection;

pub const CHANNEL: &str = "kaiten_auth_invalidate";
/// The payload that clears every cached credential and JIT resolution.
pub const EVERYTHING: &str = "*";

/// Queues the invalidation of everything when a write changed rows (an identity went away);
/// answers whether it did.
pub async fn everything_if_changed(
    conn: &mut PgConnection,
    done: sqlx::postgres::PgQueryResult,
) -> Result<bool, sqlx::Error> {
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    notify(conn, EVERYTHING).await?;
    Ok(true)
}

/// Queues the invalidation of one credential (hex digest) or of everything (`*`).
pub async fn notify(conn: &mut PgConnection, what: &str) -> Result<(), sqlx::Error> {
    crate::invalidation::notify(conn, CHANNEL, what).await
}
