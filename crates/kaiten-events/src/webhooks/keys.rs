//! An endpoint's signing keys at rest: sealed under the server key with the key row's id as
//! associated data. Every key not yet expired signs; a rotation gives the current ones an
//! expiry (the grace period) and adds a new key.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::sealed::{SealError, Sealer};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::signing::SigningKey;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("a signing key does not open with this server key (was KAITEN_SECRET_KEY changed?)")]
    Sealed(#[from] SealError),
    #[error("a stored signing key is not a key")]
    Damaged,
}

/// Stores `key` as a live key of the endpoint.
pub async fn insert(
    conn: &mut PgConnection,
    sealer: &Sealer,
    organization_id: Uuid,
    endpoint_id: Uuid,
    key: &SigningKey,
) -> sqlx::Result<()> {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO webhook_endpoint_key (id, endpoint_id, organization_id, sealed) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(endpoint_id)
        .bind(organization_id)
        .bind(sealer.seal(key.as_bytes(), id.as_bytes()))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Makes every live key of the endpoint stop signing at `at` (a key expiring sooner keeps its
/// own expiry).
pub async fn expire_live(conn: &mut PgConnection, endpoint_id: Uuid, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE webhook_endpoint_key SET expires_at = $2
          WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(endpoint_id)
    .bind(at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The live keys of each endpoint, newest first. A key that does not open (another server key,
/// a damaged row) is left out and logged: its endpoint's deliveries are then refused and retried
/// on their schedule, while every other endpoint's go out.
pub async fn live<'e>(
    db: impl PgExecutor<'e>,
    sealer: &Sealer,
    endpoint_ids: &[Uuid],
) -> sqlx::Result<HashMap<Uuid, Vec<SigningKey>>> {
    let rows: Vec<(Uuid, Uuid, Vec<u8>)> = sqlx::query_as(
        "SELECT endpoint_id, id, sealed FROM webhook_endpoint_key
          WHERE endpoint_id = ANY($1) AND (expires_at IS NULL OR expires_at > now())
          ORDER BY created_at DESC, id",
    )
    .bind(endpoint_ids)
    .fetch_all(db)
    .await?;
    let mut keys: HashMap<Uuid, Vec<SigningKey>> = HashMap::new();
    for (endpoint_id, id, sealed) in rows {
        match open(sealer, id, &sealed) {
            Ok(key) => keys.entry(endpoint_id).or_default().push(key),
            Err(err) => {
                tracing::error!(endpoint = %endpoint_id, key = %id, error = %err, "webhooks: a signing key is unusable")
            }
        }
    }
    Ok(keys)
}

fn open(sealer: &Sealer, id: Uuid, sealed: &[u8]) -> Result<SigningKey, KeyError> {
    SigningKey::from_bytes(sealer.open(sealed, id.as_bytes())?).ok_or(KeyError::Damaged)
}
