//! The shapes of the rule-authoring tools.

use kaiten_flags::Issue;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::http::RequestSchema;

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeType {
    String,
    Number,
    Boolean,
    Object,
    Map,
    Dyn,
}

/// One value a rule can read, with what is below it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetingContextNode {
    /// Shape shared by every entry, for a map
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion, nullable = false)]
    pub values: Option<Box<TargetingContextNode>>,
    /// Name as it is written in a rule
    pub name: &'static str,
    /// Shape of this node's value
    #[schema(inline)]
    pub r#type: NodeType,
    /// What this value means, shown by the editor
    #[serde(skip_serializing_if = "str::is_empty")]
    #[schema(required = false)]
    pub description: &'static str,
    /// Named children, for an object
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion, required = false)]
    pub fields: Vec<TargetingContextNode>,
    /// Keys this map currently has, for completion. Not a closed set
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub known_keys: Vec<String>,
    /// Whether this value may be absent, in which case has() is worth using
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub optional: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetingContext {
    pub roots: Vec<TargetingContextNode>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetingRuleDraft {
    #[schema(max_length = 10000)]
    pub rule: String,
}

impl RequestSchema for TargetingRuleDraft {
    const SCHEMA: &'static str = "TargetingRuleDraft";
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetingRuleVerdict {
    #[schema(value_type = Vec<TargetingRuleIssue>)]
    pub issues: Vec<Issue>,
    pub valid: bool,
}

/// Documents `kaiten_flags::Issue` under the contract's name.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub struct TargetingRuleIssue {
    /// What is wrong, in the same words the write path refuses it with
    message: String,
    /// 1-based line the problem starts on, or 0 when it has no position
    line: i64,
    /// 1-based column the problem starts on, or 0 when it has no position
    column: i64,
    /// 1-based line the problem ends on, or 0 when only a point is known
    #[schema(required = false)]
    end_line: i64,
    /// 1-based column just past the problem, or 0 when only a point is known
    #[schema(required = false)]
    end_column: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetingRuleTrial {
    #[schema(value_type = Object, additional_properties, nullable = false, required = false)]
    #[serde(default)]
    pub context: Option<Map<String, Value>>,
    #[schema(max_length = 10000)]
    pub rule: String,
    #[schema(nullable = false, required = false)]
    #[serde(default)]
    pub targeting_key: Option<String>,
}

impl RequestSchema for TargetingRuleTrial {
    const SCHEMA: &'static str = "TargetingRuleTrial";
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetingRuleRehearsal {
    /// Why the engine could not answer, when it could not — e.g. the rule reads a host
    /// attribute this context does not carry. At a real evaluation the rule would simply not
    /// match
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub evaluation_error: Option<String>,
    /// The __kaiten namespace as enriched for this context — what a rule actually reads.
    /// Empty sub-roots mean the context resolved nothing for them
    #[schema(value_type = Object, additional_properties)]
    pub facts: Map<String, Value>,
    /// Problems the lint found. The rule is only run when there are none
    #[schema(value_type = Vec<TargetingRuleIssue>)]
    pub issues: Vec<Issue>,
    /// Whether the rule matched this context. Meaningful only when valid and evaluationError
    /// is empty
    pub matched: bool,
    /// Whether the rule lints clean
    pub valid: bool,
}
