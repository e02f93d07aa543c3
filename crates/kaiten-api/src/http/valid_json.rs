//! `ValidJson<T>`: the body is parsed, validated against the published schema `T::SCHEMA`,
//! then deserialized. Every failure is a problem, never axum's plain-text rejection.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, OptionalFromRequest, Request};
use axum::http::{StatusCode, header};
use kaiten_kernel::{Error, ErrorDetail};
use serde::de::DeserializeOwned;

use super::schema_validation::SchemaRegistry;

/// A request body type and the name of the component schema it is validated against.
pub trait RequestSchema: DeserializeOwned {
    const SCHEMA: &'static str;
}

pub struct ValidJson<T>(pub T);

/// A JSON body, parsed but not yet validated: for the rare operation that accepts something
/// beside its published schema (an extension field) and hands the rest to [`validate`].
pub struct JsonBody(pub serde_json::Value);

impl<S> FromRequest<S> for JsonBody
where
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        JsonBody::parse(&read(req, state).await?)
    }
}

/// An optional body: none at all (or only whitespace) is `None`, anything else must be JSON.
impl<S> OptionalFromRequest<S> for JsonBody
where
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let bytes = read(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        JsonBody::parse(&bytes).map(Some)
    }
}

/// The body's bytes, if its media type (when given) is JSON.
async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, Error> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if content_type.as_deref().is_some_and(|ct| !ct.starts_with("application/json") && !ct.contains("+json")) {
        return Err(Error::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Request.UnsupportedMediaType",
            "request bodies must be application/json",
        ));
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::new(StatusCode::PAYLOAD_TOO_LARGE, "Request.TooLarge", "the request body is too large")
        } else {
            Error::bad_request("VALIDATION", "the request body could not be read")
        }
    })
}

impl JsonBody {
    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| {
            Error::bad_request("VALIDATION", "the request body is not valid JSON")
                .with_errors(vec![ErrorDetail::new("body", err.to_string())])
        })?;
        if holds_nul(&value) {
            return Err(Error::bad_request("VALIDATION", "strings may not contain the NUL character (\\u0000)"));
        }
        Ok(JsonBody(value))
    }
}

/// Whether any key or string holds U+0000, which PostgreSQL text and jsonb cannot store.
fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Validates `value` against `T`'s published schema, then deserializes it.
pub fn validate<T: RequestSchema>(registry: &SchemaRegistry, value: serde_json::Value) -> Result<T, Error> {
    let errors = registry.validate(T::SCHEMA, &value);
    if !errors.is_empty() {
        return Err(Error::unprocessable("validation failed", errors));
    }
    serde_json::from_value(value)
        .map_err(|err| Error::unprocessable("validation failed", vec![ErrorDetail::new("body", err.to_string())]))
}

impl<S, T> FromRequest<S> for ValidJson<T>
where
    T: RequestSchema,
    S: Send + Sync,
    Arc<SchemaRegistry>: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBody(value) = <JsonBody as FromRequest<S>>::from_request(req, state).await?;
        let registry = Arc::<SchemaRegistry>::from_ref(state);
        validate(&registry, value).map(ValidJson)
    }
}
