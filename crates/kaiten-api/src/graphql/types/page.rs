//! Cursor pages: `{items, nextCursor, hasMore}`, `nextCursor` null when `hasMore` is false.

/// Declares `$page` (GraphQL name `$name`) over the view `$item`.
macro_rules! page {
    ($page:ident, $name:literal, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(async_graphql::SimpleObject)]
        #[graphql(name = $name)]
        pub struct $page {
            pub items: Vec<$item>,
            /// Opaque cursor for the next page. Null when hasMore is false.
            pub next_cursor: Option<String>,
            pub has_more: bool,
        }

        impl $page {
            pub fn of<T>(page: kaiten_kernel::Page<T>, view: impl FnMut(T) -> $item) -> Self {
                let kaiten_kernel::Page { items, has_more, next_cursor } = page;
                Self { items: items.into_iter().map(view).collect(), next_cursor, has_more }
            }
        }
    };
}

pub(crate) use page;
