//! Reads of one organization's rows, shared by the repositories.

use uuid::Uuid;

use crate::row_lock::RowLock;

/// The row of the organization whose `key_column` (`slug`, `id`) is `key`, locked as `lock`
/// says: `select` (columns and joins, no WHERE) filtered on `alias.organization_id` and
/// `alias.key_column`.
pub async fn find<R, K>(
    conn: &mut sqlx::PgConnection,
    select: &str,
    alias: &str,
    key_column: &str,
    organization_id: Uuid,
    key: K,
    lock: RowLock,
) -> Result<Option<R>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    K: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
{
    let sql =
        format!("{select} WHERE {alias}.organization_id = $1 AND {alias}.{key_column} = $2 {}", lock.sql_of(alias));
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id).bind(key).fetch_optional(conn).await
}

/// The row `id` of the organization, which the caller knows exists (it just wrote it): a
/// missing row is `sqlx::Error::RowNotFound`.
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
    find(conn, select, alias, "id", organization_id, id, RowLock::None).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Deletes the row `id` of the organization from `table`; answers how many rows went (0 or 1).
pub async fn delete(
    conn: &mut sqlx::PgConnection,
    table: &str,
    organization_id: Uuid,
    id: Uuid,
) -> Result<u64, sqlx::Error> {
    let sql = format!("DELETE FROM {table} WHERE organization_id = $1 AND id = $2");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(organization_id).bind(id).execute(conn).await?.rows_affected())
}

/// The organization's rows whose `key_column` is any of `keys`, in no particular order: the
/// batch read behind a dataloader. `select` as for [`find`].
pub async fn many<R, K>(
    conn: &mut sqlx::PgConnection,
    select: &str,
    alias: &str,
    key_column: &str,
    organization_id: Uuid,
    keys: &[K],
) -> Result<Vec<R>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    K: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + sqlx::postgres::PgHasArrayType + Sync,
{
    let p = if alias.is_empty() { String::new() } else { format!("{alias}.") };
    let sql = format!("{select} WHERE {p}organization_id = $1 AND {p}{key_column} = ANY($2)");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id).bind(keys).fetch_all(conn).await
}
