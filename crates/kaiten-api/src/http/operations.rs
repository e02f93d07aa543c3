//! The operation → scope table, read from the generated OpenAPI document. The scope an
//! operation declares in its `#[utoipa::path(security(..))]` is therefore the one enforced:
//! the document and the behaviour cannot drift apart.

use std::collections::HashMap;

use axum::http::Method;
use utoipa::openapi::OpenApi;

#[derive(Debug, Default)]
pub struct OperationScopes(HashMap<(Method, String), String>);

impl OperationScopes {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let value = serde_json::to_value(doc).unwrap_or_default();
        let mut table = HashMap::new();
        let Some(paths) = value.get("paths").and_then(|p| p.as_object()) else { return Self(table) };
        for (path, item) in paths {
            let Some(item) = item.as_object() else { continue };
            for (method, operation) in item {
                let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
                let scope = operation
                    .get("security")
                    .and_then(|s| s.as_array())
                    .and_then(|reqs| reqs.first())
                    .and_then(|req| req.as_object())
                    .and_then(|req| req.values().next())
                    .and_then(|scopes| scopes.as_array())
                    .and_then(|scopes| scopes.first())
                    .and_then(|scope| scope.as_str());
                if let Some(scope) = scope {
                    table.insert((method, path.clone()), scope.to_owned());
                }
            }
        }
        Self(table)
    }

    /// The scope of the operation routed at `matched_path` (with or without the `/api` prefix).
    pub fn required(&self, method: &Method, matched_path: &str) -> Option<&str> {
        let path = matched_path.strip_prefix("/api").unwrap_or(matched_path);
        self.0.get(&(method.clone(), path.to_owned())).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
