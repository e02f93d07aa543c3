//! The OFREP wire shapes. Their bodies are not problem+json (only authentication failures
//! are), and optional fields are omitted rather than null, as OFREP providers expect.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The request of a single evaluation; `context` may be empty.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EvaluationRequest {
    #[schema(value_type = Object, additional_properties, nullable = false, required = false)]
    pub context: Option<Map<String, Value>>,
}

/// The request of a bulk evaluation; the body itself is optional.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct BulkEvaluationRequest {
    #[schema(value_type = Object, additional_properties, nullable = false, required = false)]
    pub context: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationSuccess {
    /// Feature flag key
    pub key: String,
    /// Flag evaluation result
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = serde_json::Value, required = false)]
    pub value: Option<Value>,
    /// OpenFeature reason for the evaluation
    #[schema(examples("STATIC"), nullable = false)]
    pub reason: Option<&'static str>,
    /// string of the evaluated flag value
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub variant: Option<String>,
    /// Arbitrary metadata for the flag
    #[schema(value_type = Object, additional_properties, nullable = false, required = false)]
    pub metadata: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvaluationFailure {
    /// Feature flag key
    pub key: String,
    /// OpenFeature error code
    pub error_code: &'static str,
    /// Error details
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error_details: Option<String>,
    /// Arbitrary metadata for the flag
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, additional_properties, nullable = false)]
    pub metadata: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub struct BulkEvaluationFailure {
    /// OpenFeature error code
    pub error_code: String,
    /// Error details
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error_details: Option<String>,
}

/// One flag's result in a bulk response.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum BulkItem {
    Success(EvaluationSuccess),
    Failure(EvaluationFailure),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkFlags {
    /// Array of evaluation results
    #[schema(required = false)]
    pub flags: Vec<BulkItem>,
}

/// The bulk 200 body as the contract declares it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum BulkEvaluationResponse {
    Flags(BulkFlags),
    Failure(BulkEvaluationFailure),
}
