//! The reference schema's scalars: `UUID`, `Time` (RFC 3339) and `Map` (any JSON value).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UuidScalar(pub Uuid);

/// Custom scalar for UUIDs
#[Scalar(name = "UUID")]
impl ScalarType for UuidScalar {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Uuid::parse_str(s).map(UuidScalar).map_err(|_| InputValueError::custom("not a UUID")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time(pub DateTime<Utc>);

/// Custom scalar for timestamps
#[Scalar(name = "Time")]
impl ScalarType for Time {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| Time(t.with_timezone(&Utc)))
                .map_err(|_| InputValueError::custom("not an RFC 3339 time")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Map(pub serde_json::Value);

impl Map {
    /// Any serializable value, as the REST API would render it.
    pub fn of<T: serde::Serialize>(value: &T) -> Self {
        Map(serde_json::to_value(value).unwrap_or(serde_json::Value::Null))
    }
}

/// Custom scalar for JSON maps
#[Scalar(name = "Map")]
impl ScalarType for Map {
    fn parse(value: Value) -> InputValueResult<Self> {
        value.into_json().map(Map).map_err(|_| InputValueError::custom("not JSON"))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}
