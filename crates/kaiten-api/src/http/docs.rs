//! `GET /api/docs`: the interactive reference, rendered from the generated document with
//! Swagger UI assets compiled into the binary (nothing is fetched at build or run time).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa_swagger_ui::SwaggerUi;

/// `/api/docs`, `/api/openapi.json` and `/api/openapi.yaml` for a document.
pub fn router<S: Clone + Send + Sync + 'static>(doc: serde_json::Value, prefix: &str) -> Router<S> {
    let yaml = yaml_serde::to_string(&doc).unwrap_or_default();
    let swagger =
        SwaggerUi::new(format!("{prefix}/docs")).external_url_unchecked(format!("{prefix}/openapi.json"), doc);
    Router::new()
        .route(
            &format!("{prefix}/openapi.yaml"),
            get(move || {
                let yaml = yaml.clone();
                async move { ([(header::CONTENT_TYPE, "application/yaml")], yaml).into_response() }
            }),
        )
        .merge(swagger)
}
