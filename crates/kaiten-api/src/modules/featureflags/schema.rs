//! The flag DTO (request and response of create/get/update) and its page. The polymorphic
//! parts are `kaiten_flags`' own wire types, so what is validated, stored and evaluated is
//! one definition.

use kaiten_flags::openapi::Targetings;
use kaiten_flags::{Choice, FlagType, Targeting, Variant};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureFlag {
    #[schema(read_only, value_type = String, examples("123e4567-e89b-12d3-a456-426614174000"))]
    pub id: Uuid,
    #[schema(inline, examples("boolean"))]
    pub r#type: FlagType,
    #[schema(required = true)]
    pub variants: Option<Vec<Variant>>,
    #[schema(value_type = Targetings)]
    pub targetings: Option<Vec<Targeting>>,
    #[schema(min_length = 1, examples("New Feature"))]
    pub name: String,
    #[schema(required = true, examples("This is a new feature flag"))]
    pub description: Option<String>,
    pub default_variant: Choice,
    #[schema(
        required = false,
        min_length = 2,
        max_length = 100,
        pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$",
        examples("new-feature")
    )]
    pub slug: String,
    #[schema(value_type = Object, additional_properties)]
    pub metadata: Map<String, Value>,
    #[schema(examples(true))]
    pub enabled: bool,
    #[schema(examples("feature_flag_event"))]
    pub event_name: String,
}

crate::page_schema!(PageFeatureFlag, FeatureFlag);

/// A flag as written by create and update (`id` is read-only and ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct FeatureFlagInput {
    pub r#type: FlagType,
    pub variants: Option<Vec<Variant>>,
    pub targetings: Option<Vec<Targeting>>,
    pub name: String,
    pub description: Option<String>,
    pub default_variant: Choice,
    #[serde(default)]
    pub slug: Option<String>,
    pub metadata: Map<String, Value>,
    pub enabled: bool,
    pub event_name: String,
}

impl RequestSchema for FeatureFlagInput {
    const SCHEMA: &'static str = "FeatureFlag";
}
