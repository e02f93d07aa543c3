//! Reads of one organization's rows, shared by the repositories.

use uuid::Uuid;

/// The row `id` of the organization: `select` (columns and joins, no WHERE) filtered on
/// `alias.organization_id` and `alias.id`. A missing row is `sqlx::Error::RowNotFound`.
pub async fn by_id<R>(
    conn: &mut sqlx::PgConnection,
    select: &str,
    alias: &str,
    organization_id: Uuid,
    id: Uuid,
) -> Result<R, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let sql = format!("{select} WHERE {alias}.organization_id = $1 AND {alias}.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id).bind(id).fetch_one(conn).await
}
