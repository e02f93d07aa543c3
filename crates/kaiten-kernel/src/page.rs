//! Cursor pagination: `?cursor=&limit=` in, `{items, hasMore, nextCursor}` out, keyset on
//! `(created_at, id)` descending. The cursor is opaque: unpadded base64url of a JSON key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, ErrorDetail};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(raw: &str) -> Result<Self, Error> {
        URL_SAFE_NO_PAD.decode(raw).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).ok_or_else(|| {
            Error::bad_request("Pagination.InvalidCursor", "the cursor is not one this server issued")
                .with_errors(vec![ErrorDetail::new("query.cursor", "invalid cursor")])
        })
    }
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub limit: i64,
}

impl PageRequest {
    /// From the raw query values; a limit outside 1..=200 is a 422 as the contract's schema
    /// says, an undecodable cursor a 400.
    pub fn parse(cursor: Option<&str>, limit: Option<&str>) -> Result<Self, Error> {
        Self::parse_within(cursor, limit, DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// [`PageRequest::parse`] for a listing with its own bounds (`default`, at most `max`).
    pub fn parse_within(cursor: Option<&str>, limit: Option<&str>, default: i64, max: i64) -> Result<Self, Error> {
        let limit = match limit {
            None => default,
            Some(raw) => match raw.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    return Err(Error::unprocessable(
                        "validation failed",
                        vec![
                            ErrorDetail::new("query.limit", format!("expected integer between 1 and {max}"))
                                .with_value(serde_json::Value::String(raw.to_owned())),
                        ],
                    ));
                }
            },
        };
        let after = cursor.filter(|c| !c.is_empty()).map(Cursor::decode).transpose()?;
        Ok(Self { after, limit })
    }

    /// How many rows to fetch: one more than asked, to learn whether there is a next page.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The keyset bounds for SQL: `(created_at, id) < (after_ts, after_id)`, or no bound.
    fn bounds(&self) -> (Option<DateTime<Utc>>, Option<Uuid>) {
        (self.after.map(|c| c.created_at), self.after.map(|c| c.id))
    }

    /// The tail of a newest-first listing on `alias.created_at, alias.id`: the keyset bound,
    /// the order and the limit, using parameters `$first`, `$first+1` and `$first+2`, which
    /// [`PageRequest::bind`] fills.
    pub fn keyset(alias: &str, first: usize) -> String {
        let (at, id, limit) = (first, first + 1, first + 2);
        let p = if alias.is_empty() { String::new() } else { format!("{alias}.") };
        format!(
            "AND (${at}::timestamptz IS NULL OR ({p}created_at, {p}id) < (${at}, ${id}))
              ORDER BY {p}created_at DESC, {p}id DESC LIMIT ${limit}"
        )
    }

    /// One page of an organization's rows: `select` (columns and joins, no WHERE) filtered on
    /// `alias.organization_id` (no alias: the bare column), newest first.
    pub async fn fetch_of_organization<R>(
        &self,
        conn: &mut sqlx::PgConnection,
        select: &str,
        alias: &str,
        organization_id: Uuid,
    ) -> Result<Vec<R>, sqlx::Error>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        let column = if alias.is_empty() { "organization_id".to_owned() } else { format!("{alias}.organization_id") };
        let sql = format!("{select} WHERE {column} = $1 {}", Self::keyset(alias, 2));
        self.bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id)).fetch_all(conn).await
    }

    /// As [`PageRequest::fetch_of_organization`], narrowed by `condition`: SQL on the row that
    /// names `value` as `$5`.
    pub async fn fetch_of_organization_where<R, V>(
        &self,
        conn: &mut sqlx::PgConnection,
        select: &str,
        alias: &str,
        organization_id: Uuid,
        condition: &str,
        value: V,
    ) -> Result<Vec<R>, sqlx::Error>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
        V: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        let column = if alias.is_empty() { "organization_id".to_owned() } else { format!("{alias}.organization_id") };
        let sql = format!("{select} WHERE {column} = $1 AND ({condition}) {}", Self::keyset(alias, 2));
        self.bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id)).bind(value).fetch_all(conn).await
    }

    /// Binds the three parameters of [`PageRequest::keyset`], after the query's own.
    pub fn bind<'q, O>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, <sqlx::Postgres as sqlx::Database>::Arguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, <sqlx::Postgres as sqlx::Database>::Arguments> {
        let (at, id) = self.bounds();
        query.bind(at).bind(id).bind(self.fetch())
    }
}

/// A page of results. Built from `limit + 1` fetched rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn from_rows(mut rows: Vec<T>, request: &PageRequest, key: impl Fn(&T) -> Cursor) -> Self {
        let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if has_more { rows.last().map(|last| key(last).encode()) } else { None };
        Self { items: rows, has_more, next_cursor }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), has_more: self.has_more, next_cursor: self.next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_tampering() {
        let c = Cursor { created_at: Utc::now(), id: Uuid::new_v4() };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        let err = Cursor::decode("not-a-cursor").unwrap_err();
        assert_eq!(err.status().as_u16(), 400);
        let tampered = URL_SAFE_NO_PAD.encode(br#"{"createdAt":"yesterday","id":"x"}"#);
        assert_eq!(Cursor::decode(&tampered).unwrap_err().status().as_u16(), 400);
    }

    #[test]
    fn limit_defaults_to_50_and_is_bounded() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 50);
        assert_eq!(PageRequest::parse(None, Some("200")).unwrap().limit, 200);
        for bad in ["0", "201", "-1", "ten"] {
            let err = PageRequest::parse(None, Some(bad)).unwrap_err();
            assert_eq!(err.status().as_u16(), 422, "{bad}");
            assert_eq!(err.errors()[0].location, "query.limit");
        }
        assert_eq!(PageRequest::parse_within(None, None, 200, 1000).unwrap().limit, 200);
        assert_eq!(PageRequest::parse_within(None, Some("1000"), 200, 1000).unwrap().limit, 1000);
        assert_eq!(PageRequest::parse_within(None, Some("1001"), 200, 1000).unwrap_err().status().as_u16(), 422);
    }

    #[test]
    fn page_from_limit_plus_one_rows() {
        let request = PageRequest { after: None, limit: 2 };
        let id = Uuid::new_v4();
        let key = |_: &u32| Cursor { created_at: DateTime::UNIX_EPOCH, id };
        let page = Page::from_rows(vec![1, 2, 3], &request, key);
        assert_eq!(page.items, vec![1, 2]);
        assert!(page.has_more && page.next_cursor.is_some());
        let last = Page::from_rows(vec![1, 2], &request, key);
        assert!(!last.has_more && last.next_cursor.is_none());
        let json = serde_json::to_value(&last).unwrap();
        assert!(json.get("nextCursor").is_none(), "nextCursor is omitted, not null, on the last page");
    }
}
