//! Moves on the delivery queue that more than one place makes: waking the dispatchers, and
//! parking a disabled endpoint's deliveries (out of the due index's way) until it is enabled.

use sqlx::PgConnection;
use uuid::Uuid;

/// Whom the dispatchers of every replica listen to: the queue has something due.
pub const CHANNEL: &str = "kaiten_webhooks";

/// Wakes the dispatchers of every replica, at commit.
pub async fn wake(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(conn).await.map(|_| ())
}

/// A disabled endpoint's pending deliveries wait without a due time, so the dispatchers' scan
/// of due rows never walks them (one in flight loses its lease and is sent again later).
pub async fn park(conn: &mut PgConnection, endpoint_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE webhook_delivery SET next_attempt_at = NULL WHERE endpoint_id = $1 AND status = 'pending'")
        .bind(endpoint_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// An enabled endpoint's parked deliveries are due now; the dispatchers are woken.
pub async fn resume(conn: &mut PgConnection, endpoint_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE webhook_delivery SET next_attempt_at = now()
          WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at IS NULL",
    )
    .bind(endpoint_id)
    .execute(&mut *conn)
    .await?;
    wake(conn).await
}
