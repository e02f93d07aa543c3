//! Ids named in request bodies (`releaseId`, `deploymentZoneId`, `customerId`…): resolved
//! within the caller's organization, so another tenant's id is as unknown as a made-up one
//! (or one that is no UUID at all), and key-share locked so the row outlives the transaction.

use kaiten_kernel::Error;
use sqlx::PgConnection;
use uuid::Uuid;

/// The row's id, if `raw` names a row of `table` in the organization.
pub async fn resolve(
    conn: &mut PgConnection,
    table: &'static str,
    organization_id: Uuid,
    raw: &str,
) -> Result<Option<Uuid>, Error> {
    let Ok(id) = Uuid::parse_str(raw) else { return Ok(None) };
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE organization_id = $1 AND id = $2 FOR KEY SHARE"
    )))
    .bind(organization_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}
