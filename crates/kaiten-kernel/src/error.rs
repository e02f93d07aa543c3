//! One error type for the whole service, rendered once as an RFC 9457 problem.
//!
//! Handlers return `Result<T, Error>`; the stable `code` is what clients branch on. Internal
//! causes are never shown: they are logged under an `errorId` that the client receives.

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The RFC 9457 body. Empty members are left out, as the original does.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Problem {
    /// A URI reference to human-readable documentation for the error.
    #[serde(rename = "type", skip_serializing_if = "String::is_empty", default)]
    #[schema(format = "uri", default = "about:blank")]
    pub type_: String,
    /// A short, human-readable summary of the problem type.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub title: String,
    /// HTTP status code
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(format = Int64)]
    pub status: Option<i64>,
    /// A human-readable explanation specific to this occurrence of the problem.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub detail: String,
    /// A URI reference that identifies the specific occurrence of the problem.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub instance: String,
    /// Stable, machine-readable error code.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub code: String,
    /// Correlation id for the server-side log entry describing the withheld cause.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub error_id: String,
    /// Optional list of individual error details
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub errors: Option<Vec<ErrorDetail>>,
}

/// One validation failure: where it is and what is wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// Error message text
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub message: String,
    /// Where the error occurred, e.g. 'body.items[3].tags' or 'path.thing-id'
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub location: String,
    /// The value at the given location
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(value_type = serde_json::Value)]
    pub value: Option<serde_json::Value>,
}

impl ErrorDetail {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self { message: message.into(), location: location.into(), value: None }
    }

    pub fn with_value(mut self, value: serde_json::Value) -> Self {
        self.value = Some(value);
        self
    }
}

type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {detail}")]
pub struct Error {
    status: StatusCode,
    code: Cow<'static, str>,
    detail: String,
    errors: Vec<ErrorDetail>,
    #[source]
    cause: Option<Cause>,
}

impl Error {
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self { status, code: code.into(), detail: detail.into(), errors: Vec::new(), cause: None }
    }

    pub fn not_found(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    pub fn conflict(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 409 for a resource that others still refer to; `errors[0]` counts them, under `location`.
    pub fn still_referenced(
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<String>,
        location: &str,
        counts: serde_json::Value,
    ) -> Self {
        Self::conflict(code, detail).with_errors(vec![
            ErrorDetail::new(location, format!("what still references the {location}")).with_value(counts),
        ])
    }

    /// A business validation failure (400), as the original's `Validation` kind.
    pub fn bad_request(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// A request that does not satisfy its schema (422), with one entry per problem.
    pub fn unprocessable(detail: impl Into<String>, errors: Vec<ErrorDetail>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE", detail).with_errors(errors)
    }

    /// A well-formed request that a business rule refuses as unprocessable (422), with its code.
    pub fn unprocessable_rule(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn unauthorized(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    pub fn forbidden(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn unavailable(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail)
    }

    /// An unexpected failure. The cause is logged with an `errorId`, never sent.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: Cow::Borrowed("INTERNAL"),
            detail: "An unexpected error occurred".into(),
            errors: Vec::new(),
            cause: Some(cause.into()),
        }
    }

    pub fn with_errors(mut self, errors: Vec<ErrorDetail>) -> Self {
        self.errors = errors;
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub fn errors(&self) -> &[ErrorDetail] {
        &self.errors
    }

    /// The problem body; logs the withheld cause (if any) under the returned `errorId`.
    pub fn to_problem(&self) -> Problem {
        let mut problem = Problem {
            type_: problem_type(self.status).to_owned(),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: Some(i64::from(self.status.as_u16())),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            errors: (!self.errors.is_empty()).then(|| self.errors.clone()),
            ..Problem::default()
        };
        if self.status.is_server_error() {
            let error_id = uuid::Uuid::new_v4().to_string();
            match &self.cause {
                Some(cause) => {
                    tracing::error!(error_id, code = %self.code, cause = %DisplayChain(cause.as_ref()), "request failed")
                }
                None => tracing::warn!(error_id, code = %self.code, detail = %self.detail, "request failed"),
            }
            problem.error_id = error_id;
        }
        problem
    }
}

struct DisplayChain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

/// The problem `type` URI the original picks from the status.
pub fn problem_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        401 => "https://tools.ietf.org/html/rfc7235#section-3.1",
        403 => "https://tools.ietf.org/html/rfc7231#section-6.5.3",
        404 => "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        409 => "https://tools.ietf.org/html/rfc7231#section-6.5.8",
        413 => "https://tools.ietf.org/html/rfc7231#section-6.5.11",
        422 => "https://tools.ietf.org/html/rfc4918#section-11.2",
        503 => "https://tools.ietf.org/html/rfc7231#section-6.6.4",
        _ => "https://tools.ietf.org/html/rfc7231#section-6.6.1",
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                let error_id = uuid::Uuid::new_v4();
                tracing::error!(%error_id, cause = %err, "database unavailable");
                Self::unavailable("UNAVAILABLE", "the database is unavailable; retry later")
            }
            // A NUL character in a value that reached a query (the JSON bodies refuse it
            // earlier; GraphQL arguments and query strings do not): the caller's input, not a
            // fault of ours.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
                Self::bad_request("VALIDATION", "strings may not contain the NUL character (\\u0000)")
            }
            _ => Self::internal(err),
        }
    }
}

/// Written into the response so that a later layer can add the request path as `instance`.
#[derive(Clone, Debug)]
pub struct ProblemExtension(pub Problem);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        problem_response(self.status, self.to_problem())
    }
}

pub fn problem_response(status: StatusCode, problem: Problem) -> Response {
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response.extensions_mut().insert(ProblemExtension(problem));
    response
}

impl Error {
    /// The name of the database constraint whose violation this error is, if it is one.
    pub fn violated_constraint(&self) -> Option<&str> {
        let cause = self.cause.as_deref()?;
        cause.downcast_ref::<sqlx::Error>()?.as_database_error()?.constraint()
    }
}

/// The one way a unique, foreign-key or check violation becomes the client error it means:
/// `insert(..).await.on_constraint("customer_org_slug_key", || Error::conflict(..))?`, chained
/// once per constraint the statement can violate. Every other error passes through unchanged.
pub trait OnConstraint<T> {
    fn on_constraint(self, constraint: &str, to: impl FnOnce() -> Error) -> Result<T>;
}

impl<T, E: Into<Error>> OnConstraint<T> for std::result::Result<T, E> {
    fn on_constraint(self, constraint: &str, to: impl FnOnce() -> Error) -> Result<T> {
        self.map_err(|err| {
            let err = err.into();
            if err.violated_constraint() == Some(constraint) { to() } else { err }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause_and_carry_an_error_id() {
        let problem = Error::internal(std::io::Error::other("password=hunter2")).to_problem();
        assert_eq!(problem.code, "INTERNAL");
        assert_eq!(problem.detail, "An unexpected error occurred");
        assert!(!problem.error_id.is_empty());
        assert!(!serde_json::to_string(&problem).unwrap().contains("hunter2"));
    }

    #[test]
    fn client_errors_carry_code_title_and_type_but_no_error_id() {
        let problem = Error::not_found("Customer.NotFound", "customer not found").to_problem();
        assert_eq!(problem.title, "Not Found");
        assert_eq!(problem.status, Some(404));
        assert_eq!(problem.type_, "https://tools.ietf.org/html/rfc7231#section-6.5.4");
        assert!(problem.error_id.is_empty());
        let json = serde_json::to_value(&problem).unwrap();
        assert!(json.get("errors").is_none(), "empty members are left out");
    }
}
