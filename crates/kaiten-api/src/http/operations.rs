//! The operation → scope table, read from the generated OpenAPI document. The scope an
//! operation declares in its `#[utoipa::path(security(..))]` is therefore the one enforced:
//! the document and the behaviour cannot drift apart.

use std::collections::HashMap;

use axum::http::Method;

/// What an incoming request must satisfy.
#[derive(Debug, PartialEq, Eq)]
pub enum Requirement<'a> {
    Scope(&'a str),
    /// The path exists, but not with this method (axum answers 405).
    NoSuchMethod,
    /// A routed operation that declares no scope: refused, never served unauthenticated.
    Undeclared,
}

/// Path → method → scope: keyed by path first so a lookup borrows the request's path.
#[derive(Debug, Default)]
pub struct OperationScopes(HashMap<String, HashMap<Method, String>>);

impl OperationScopes {
    pub fn from_openapi(doc: &serde_json::Value) -> Self {
        let mut table: HashMap<String, HashMap<Method, String>> = HashMap::new();
        let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else { return Self(table) };
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
                    table.entry(path.clone()).or_default().insert(method, scope.to_owned());
                }
            }
        }
        Self(table)
    }

    /// What the operation routed at `matched_path` (with or without the `/api` prefix) requires.
    pub fn required(&self, method: &Method, matched_path: &str) -> Requirement<'_> {
        let path = matched_path.strip_prefix("/api").unwrap_or(matched_path);
        // axum answers HEAD with the GET handler: it needs what GET needs.
        let method = if method == Method::HEAD { &Method::GET } else { method };
        match self.0.get(path).map(|methods| methods.get(method)) {
            Some(Some(scope)) => Requirement::Scope(scope),
            Some(None) => Requirement::NoSuchMethod,
            None => Requirement::Undeclared,
        }
    }

    pub fn len(&self) -> usize {
        self.0.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
