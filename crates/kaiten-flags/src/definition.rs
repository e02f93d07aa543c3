//! A flag as it is written and stored: the wire shapes of the contract (`FeatureFlag`'s
//! variants, default variant and targetings), checked by `validate` before they are kept.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The type every variant value of a flag has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FlagType {
    Boolean,
    String,
    Number,
    Object,
}

impl FlagType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Boolean => "boolean",
            Self::String => "string",
            Self::Number => "number",
            Self::Object => "object",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "boolean" => Self::Boolean,
            "string" => Self::String,
            "number" => Self::Number,
            "object" => Self::Object,
            _ => return None,
        })
    }

    /// Whether `value` can be served for a flag of this type (object accepts anything).
    pub fn admits(self, value: &serde_json::Value) -> bool {
        match self {
            Self::Boolean => value.is_boolean(),
            Self::String => value.is_string(),
            Self::Number => value.is_number(),
            Self::Object => !value.is_null(),
        }
    }

    /// What is served when the variant to serve is unnamed or unknown.
    pub fn zero_value(self) -> serde_json::Value {
        match self {
            Self::Boolean => serde_json::Value::Bool(false),
            Self::String => serde_json::Value::String(String::new()),
            Self::Number => serde_json::Value::from(0),
            Self::Object => serde_json::Value::Object(serde_json::Map::new()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub name: String,
    pub description: String,
    pub value: serde_json::Value,
}

/// One end of a date rollout: the variant served on that side and the share already moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RolloutStep {
    #[cfg_attr(feature = "openapi", schema(example = "variant_b"))]
    pub variant: String,
    #[cfg_attr(feature = "openapi", schema(example = 50))]
    pub percentage: i64,
    #[cfg_attr(feature = "openapi", schema(example = "2024-01-15T10:00:00Z"))]
    pub date: DateTime<Utc>,
}

/// How a flag picks a variant, by itself or once a targeting matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Choice {
    Basic { value: String },
    RolloutPercentage { distribution: BTreeMap<String, i64> },
    RolloutDate { start: RolloutStep, end: RolloutStep },
}

impl Choice {
    /// Every variant name this choice can serve, for the "variant exists" check.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Self::Basic { value } => vec![value.as_str()],
            Self::RolloutPercentage { distribution } => distribution.keys().map(String::as_str).collect(),
            Self::RolloutDate { start, end } => vec![start.variant.as_str(), end.variant.as_str()],
        }
    }

    pub fn is_rollout(&self) -> bool {
        !matches!(self, Self::Basic { .. })
    }
}

/// One targeting: a named rule and what it serves when it matches. On the wire the basic
/// kind names its variant `variant` where the default variant says `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Targeting {
    Basic { name: String, rule: String, variant: String },
    RolloutPercentage { name: String, rule: String, distribution: BTreeMap<String, i64> },
    RolloutDate { name: String, rule: String, start: RolloutStep, end: RolloutStep },
}

impl Targeting {
    pub fn name(&self) -> &str {
        match self {
            Self::Basic { name, .. } | Self::RolloutPercentage { name, .. } | Self::RolloutDate { name, .. } => name,
        }
    }

    pub fn rule(&self) -> &str {
        match self {
            Self::Basic { rule, .. } | Self::RolloutPercentage { rule, .. } | Self::RolloutDate { rule, .. } => rule,
        }
    }

    /// What this targeting serves once its rule matched.
    pub fn choice(&self) -> Choice {
        match self {
            Self::Basic { variant, .. } => Choice::Basic { value: variant.clone() },
            Self::RolloutPercentage { distribution, .. } => {
                Choice::RolloutPercentage { distribution: distribution.clone() }
            }
            Self::RolloutDate { start, end, .. } => Choice::RolloutDate { start: start.clone(), end: end.clone() },
        }
    }
}

/// Everything evaluation needs of a flag, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub slug: String,
    #[serde(rename = "type")]
    pub flag_type: FlagType,
    pub variants: Option<Vec<Variant>>,
    pub targetings: Option<Vec<Targeting>>,
    pub default_variant: Choice,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub enabled: bool,
}
