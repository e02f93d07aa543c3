//! Typed entitlement values, `{type, value}`: what a grant gives and what usage has counted.
//! On the wire a number that is a whole number is written without a fraction, as the
//! original's JSON does.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::kinds::EntitlementType;

/// `-1` as a number value: no limit.
pub const UNLIMITED: f64 = -1.0;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(discriminator(property_name = "type", mapping(
    ("number" = "#/components/schemas/NumberEntitlementValue"),
    ("boolean" = "#/components/schemas/BooleanEntitlementValue"),
    ("object" = "#/components/schemas/ConfigEntitlementValue"),
)))]
pub enum EntitlementValue {
    Number(NumberEntitlementValue),
    Boolean(BooleanEntitlementValue),
    Config(ConfigEntitlementValue),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NumberTag {
    Number,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BooleanTag {
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ObjectTag {
    Object,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberEntitlementValue {
    /// Value type discriminator
    #[schema(inline)]
    pub r#type: NumberTag,
    /// Numeric value
    #[serde(serialize_with = "whole_numbers_without_fraction")]
    #[schema(format = Double, examples(42.5))]
    pub value: f64,
    /// Number of events accumulated (server-computed)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false, format = Int32, value_type = Option<i32>)]
    pub event_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BooleanEntitlementValue {
    /// Value type discriminator
    #[schema(inline)]
    pub r#type: BooleanTag,
    /// Boolean value
    pub value: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigEntitlementValue {
    /// Value type discriminator
    #[schema(inline)]
    pub r#type: ObjectTag,
    /// Configuration object
    #[schema(value_type = Object, additional_properties)]
    pub value: Map<String, Value>,
}

fn whole_numbers_without_fraction<S: Serializer>(n: &f64, s: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is an exact f64
    if n.fract() == 0.0 && n.abs() < EXACT {
        #[allow(clippy::cast_possible_truncation)]
        return s.serialize_i64(*n as i64);
    }
    s.serialize_f64(*n)
}

impl EntitlementValue {
    pub fn number(value: f64) -> Self {
        Self::Number(NumberEntitlementValue { r#type: NumberTag::Number, value, event_count: None })
    }

    pub fn counted(value: f64, event_count: i64) -> Self {
        Self::Number(NumberEntitlementValue { r#type: NumberTag::Number, value, event_count: Some(event_count) })
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(n.value),
            _ => None,
        }
    }

    pub fn is_unlimited(&self) -> bool {
        self.as_number() == Some(UNLIMITED)
    }

    /// The stored JSON form, `{type, value}` (plus `event_count` on usage counters).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// From a stored `{type, value[, event_count]}`; `None` for anything else.
    pub fn from_stored(stored: &Value) -> Option<Self> {
        let inner = stored.get("value")?;
        match stored.get("type")?.as_str()? {
            "number" => Some(match stored.get("event_count").and_then(Value::as_i64) {
                Some(count) => Self::counted(inner.as_f64()?, count),
                None => Self::number(inner.as_f64()?),
            }),
            "boolean" => {
                Some(Self::Boolean(BooleanEntitlementValue { r#type: BooleanTag::Boolean, value: inner.as_bool()? }))
            }
            "object" => Some(Self::Config(ConfigEntitlementValue {
                r#type: ObjectTag::Object,
                value: inner.as_object()?.clone(),
            })),
            _ => None,
        }
    }

    /// A value sent for an entitlement of `kind`, checked against it: numbers for the numeric
    /// types, booleans for BOOLEAN, objects for CONFIG. Keys other than `type` and `value`
    /// are dropped. The message says what is wrong.
    pub fn normalize(kind: EntitlementType, raw: &Value) -> Result<Self, String> {
        let tag = match raw.get("type") {
            Some(Value::String(t)) if !t.is_empty() => t.as_str(),
            _ => return Err("value.type is required".into()),
        };
        let inner = raw.get("value").unwrap_or(&Value::Null);
        let expected = match kind {
            EntitlementType::Number | EntitlementType::NumberAiCredit => "number",
            EntitlementType::Boolean => "boolean",
            EntitlementType::Config => "object",
        };
        if tag != expected {
            return Err(format!("value.type must be \"{expected}\" for {} entitlements", kind.as_str()));
        }
        let wrong = || format!("value.value must be a {expected} for {} entitlements", kind.as_str());
        match kind {
            EntitlementType::Number | EntitlementType::NumberAiCredit => {
                inner.as_f64().filter(|n| n.is_finite()).map(Self::number).ok_or_else(wrong)
            }
            EntitlementType::Boolean => inner
                .as_bool()
                .map(|value| Self::Boolean(BooleanEntitlementValue { r#type: BooleanTag::Boolean, value }))
                .ok_or_else(wrong),
            EntitlementType::Config => inner
                .as_object()
                .map(|value| Self::Config(ConfigEntitlementValue { r#type: ObjectTag::Object, value: value.clone() }))
                .ok_or_else(wrong),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn normalizes_each_type_and_refuses_the_wrong_shape() {
        let n = EntitlementValue::normalize(EntitlementType::Number, &json!({"type": "number", "value": 10, "x": 1}));
        assert_eq!(n.unwrap().to_json(), json!({"type": "number", "value": 10}));
        let b = EntitlementValue::normalize(EntitlementType::Boolean, &json!({"type": "boolean", "value": true}));
        assert_eq!(b.unwrap().to_json(), json!({"type": "boolean", "value": true}));
        let c = EntitlementValue::normalize(EntitlementType::Config, &json!({"type": "object", "value": {"a": [1]}}));
        assert_eq!(c.unwrap().to_json(), json!({"type": "object", "value": {"a": [1]}}));
        let wrong = EntitlementValue::normalize(EntitlementType::Boolean, &json!({"type": "number", "value": 1}));
        assert_eq!(wrong.unwrap_err(), "value.type must be \"boolean\" for BOOLEAN entitlements");
        let wrong =
            EntitlementValue::normalize(EntitlementType::NumberAiCredit, &json!({"type": "number", "value": "1"}));
        assert!(wrong.unwrap_err().starts_with("value.value must be a number"));
        assert!(EntitlementValue::normalize(EntitlementType::Number, &json!({"value": 1})).is_err());
    }

    #[test]
    fn whole_numbers_lose_their_fraction_on_the_wire_only() {
        assert_eq!(EntitlementValue::number(3.0).to_json(), json!({"type": "number", "value": 3}));
        assert_eq!(EntitlementValue::number(2.5).to_json(), json!({"type": "number", "value": 2.5}));
        assert_eq!(
            EntitlementValue::counted(-1.0, 4).to_json(),
            json!({"type": "number", "value": -1, "event_count": 4})
        );
        let stored = json!({"type": "number", "value": 7, "event_count": 2});
        assert_eq!(EntitlementValue::from_stored(&stored).unwrap().to_json(), stored);
    }
}
