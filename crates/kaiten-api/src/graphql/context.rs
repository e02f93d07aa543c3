//! What every resolver of one request reaches: the organization's scope and its loaders.

use async_graphql::{Context, ErrorExtensions};
use kaiten_kernel::{Error, PageRequest};

use super::loaders::{LoadError, Loaders, Scope};

pub struct RequestData {
    pub scope: Scope,
    pub loaders: Loaders,
}

pub fn data<'a>(ctx: &Context<'a>) -> &'a RequestData {
    ctx.data_unchecked::<RequestData>()
}

/// A problem as a GraphQL error: the message is the public detail, the extensions carry the
/// stable `code` (and the `errorId` of a hidden cause, which is in the logs).
pub fn error(err: &Error) -> async_graphql::Error {
    let problem = err.to_problem();
    async_graphql::Error::new(problem.detail.clone()).extend_with(|_, e| {
        e.set("code", problem.code.clone());
        if let Some(status) = problem.status {
            e.set("status", status);
        }
        if !problem.error_id.is_empty() {
            e.set("errorId", problem.error_id.clone());
        }
    })
}

/// A lookup by slug through the REST repository: its 404 is GraphQL's `null`, any other
/// failure an error.
pub fn or_null<T, V>(found: Result<T, Error>, view: impl FnOnce(T) -> V) -> async_graphql::Result<Option<V>> {
    match found {
        Ok(item) => Ok(Some(view(item))),
        Err(err) if err.status() == axum::http::StatusCode::NOT_FOUND => Ok(None),
        Err(err) => Err(error(&err)),
    }
}

pub fn load_error(err: LoadError) -> async_graphql::Error {
    error(&err)
}

/// `limit` and `cursor` arguments as the REST API reads them, with its bounds.
pub fn page(limit: Option<i32>, cursor: Option<&str>) -> async_graphql::Result<PageRequest> {
    PageRequest::parse(cursor, limit.map(|l| l.to_string()).as_deref()).map_err(|e| error(&e))
}

/// A database connection for a root query.
pub async fn conn(ctx: &Context<'_>) -> async_graphql::Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    data(ctx).scope.pool.acquire().await.map_err(|e| error(&e.into()))
}
