//! `?cursor=&limit=` as an extractor, with the contract's bounds and problem errors.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kaiten_kernel::{Error, PageRequest};
use utoipa::IntoParams;

/// Documentation of the two pagination parameters; extraction goes through `PageQuery`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Opaque pagination cursor from a previous response's nextCursor
    #[param(explode = false)]
    cursor: Option<String>,
    /// Maximum number of entries to return (default 50, max 200)
    #[param(explode = false, minimum = 1, maximum = 200, format = Int32)]
    limit: Option<i32>,
}

pub struct PageQuery(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query();
        let (cursor, limit) = (super::query::param(raw, "cursor"), super::query::param(raw, "limit"));
        PageRequest::parse(cursor.as_deref(), limit.as_deref()).map(PageQuery)
    }
}

/// Declares the documented `Page<T>` envelope of a list operation, e.g. `PageCustomer`.
#[macro_export]
macro_rules! page_schema {
    ($page:ident, $item:ty) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[allow(dead_code)]
        pub struct $page {
            pub items: Vec<$item>,
            /// Whether more rows exist beyond this page.
            pub has_more: bool,
            /// Opaque cursor for the next page. Absent when hasMore is false.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub next_cursor: Option<String>,
        }
    };
}
