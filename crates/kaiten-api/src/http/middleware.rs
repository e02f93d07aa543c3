//! Layers every surface shares: problems get their `instance`, anything that is not already a
//! problem (unknown route, wrong method, a panic, a timeout) becomes one.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kaiten_kernel::Error;
use kaiten_kernel::error::{PROBLEM_JSON, ProblemExtension, problem_response};

/// Fills `instance` with the request path, and turns bare error responses into problems.
pub async fn finish_problems(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    if let Some(ProblemExtension(mut problem)) = parts.extensions.remove::<ProblemExtension>() {
        problem.instance = path;
        let mut finished = problem_response(parts.status, problem);
        for (name, value) in &parts.headers {
            if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
                finished.headers_mut().insert(name, value.clone());
            }
        }
        finished.extensions_mut().remove::<ProblemExtension>();
        return finished;
    }
    let is_json =
        parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.contains("json"));
    if (parts.status.is_client_error() || parts.status.is_server_error()) && !is_json {
        let code = match parts.status {
            StatusCode::NOT_FOUND => "NOT_FOUND",
            StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
            StatusCode::PAYLOAD_TOO_LARGE => "Request.TooLarge",
            s if s.is_server_error() => "INTERNAL",
            _ => "BAD_REQUEST",
        };
        let detail = parts.status.canonical_reason().unwrap_or("error").to_lowercase();
        let mut problem = Error::new(parts.status, code, detail).to_problem();
        problem.instance = path;
        let mut finished = problem_response(parts.status, problem);
        finished.extensions_mut().remove::<ProblemExtension>();
        if let Some(allow) = parts.headers.get(header::ALLOW) {
            finished.headers_mut().insert(header::ALLOW, allow.clone());
        }
        return finished;
    }
    Response::from_parts(parts, body)
}

/// Refuses a path or query that decodes to U+0000: slugs and filters reach PostgreSQL, whose
/// text cannot hold it, and nothing legitimate contains it.
pub async fn refuse_nul(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let encoded = [uri.path(), uri.query().unwrap_or_default()];
    if encoded.iter().any(|part| part.to_ascii_lowercase().contains("%00")) {
        return Error::bad_request("Request.InvalidCharacters", "the path or query contains a NUL character")
            .into_response();
    }
    next.run(request).await
}

/// Bounds the time a request may take; a slow one answers a retryable 503 problem.
pub async fn request_timeout(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Error::unavailable("Request.Timeout", format!("the request took longer than {} s", limit.as_secs()))
            .into_response(),
    }
}

/// A panic in a handler is logged with an `errorId` and answered as a 500 problem.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    let mut response = Error::internal(std::io::Error::other(format!("handler panicked: {message}"))).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

pub async fn not_found() -> Error {
    Error::not_found("NOT_FOUND", "no such route")
}
