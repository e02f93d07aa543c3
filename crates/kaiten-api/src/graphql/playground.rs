//! GraphiQL at `/api/graphql/playground`, served only when introspection is enabled, from
//! assets compiled into the binary (GraphiQL 3.8.3, React 18.3.1; MIT, licenses beside them in
//! `assets/graphiql/`), so nothing is fetched from a CDN. They are stored gzipped and served
//! as such.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::Service;

const ASSETS: [(&str, &str, &[u8]); 4] = [
    ("graphiql.min.js", "text/javascript", include_bytes!("../../assets/graphiql/graphiql.min.js.gz")),
    ("graphiql.min.css", "text/css", include_bytes!("../../assets/graphiql/graphiql.min.css.gz")),
    ("react.production.min.js", "text/javascript", include_bytes!("../../assets/graphiql/react.production.min.js.gz")),
    (
        "react-dom.production.min.js",
        "text/javascript",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js.gz"),
    ),
];

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Kaiten GraphQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="/api/graphql/playground/graphiql.min.css">
  <script src="/api/graphql/playground/react.production.min.js"></script>
  <script src="/api/graphql/playground/react-dom.production.min.js"></script>
  <script src="/api/graphql/playground/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script>
    // Credentials go in the headers tab: {"Authorization": "Bearer ksh_…"}.
    const fetcher = GraphiQL.createFetcher({ url: "/api/graphql" });
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {
        fetcher,
        isHeadersEditorEnabled: true,
        defaultHeaders: '{"Authorization": "Bearer ksh_…"}',
        defaultQuery: "{\n  licenses(limit: 5) {\n    items { slug name lifecycleState }\n  }\n}\n",
      }),
    );
  </script>
</body>
</html>
"#;

pub async fn page(State(service): State<Arc<Service>>) -> Response {
    if !service.introspection {
        return not_found();
    }
    Html(PAGE).into_response()
}

pub async fn asset(State(service): State<Arc<Service>>, Path(name): Path<String>) -> Response {
    let found = ASSETS.iter().find(|(file, _, _)| *file == name);
    match found {
        Some((_, content_type, gzipped)) if service.introspection => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CONTENT_ENCODING, "gzip"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *gzipped,
        )
            .into_response(),
        _ => not_found(),
    }
}

/// Off, the playground does not exist: the same 404 as any unknown route.
fn not_found() -> Response {
    kaiten_kernel::Error::not_found("NOT_FOUND", "no such route").into_response()
}
