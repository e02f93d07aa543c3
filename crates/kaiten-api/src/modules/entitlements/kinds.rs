//! The closed vocabularies of an entitlement, shared with the database enums of the same names.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "entitlement_type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntitlementType {
    Boolean,
    Number,
    Config,
    NumberAiCredit,
}

impl EntitlementType {
    /// NUMBER and NUMBER_AI_CREDIT: measured, aggregated, capped.
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Number | Self::NumberAiCredit)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Boolean => "BOOLEAN",
            Self::Number => "NUMBER",
            Self::Config => "CONFIG",
            Self::NumberAiCredit => "NUMBER_AI_CREDIT",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "aggregation_method", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AggregationMethod {
    Count,
    Sum,
    Average,
    Min,
    Max,
    Latest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "entitlement_reset_period", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResetPeriod {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "entitlement_reset_anchor", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResetAnchor {
    Calendar,
    LicenseStart,
}
