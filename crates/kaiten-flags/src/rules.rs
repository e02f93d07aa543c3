//! The targeting-rule engine as the rest of the system sees it: compile once, evaluate many
//! times against one activation per request. CEL is the only implementation (`cel_engine`);
//! the trait keeps its crate, whose API changes often, out of everything else.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::context::EvaluationContext;

/// A problem found in a rule, positioned when the engine knows where (1-based; 0 = unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub message: String,
    pub line: i64,
    pub column: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub end_line: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub end_column: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl Issue {
    pub fn unpositioned(message: impl Into<String>) -> Self {
        Self { message: message.into(), line: 0, column: 0, end_line: 0, end_column: 0 }
    }
}

pub trait RuleEngine: Send + Sync + 'static {
    /// A rule ready to run.
    type Rule: Send + Sync;
    /// The inputs of one evaluation, converted once and shared by every rule it runs; it may
    /// borrow from the context.
    type Activation<'a>;

    /// Parses `source`; the issues say why it cannot run.
    fn compile(&self, source: &str) -> Result<Self::Rule, Vec<Issue>>;

    /// The problems of a compiled rule the write path refuses it for, against the
    /// organization's entitlement slugs (`None`: the catalog could not be read, slugs are not
    /// checked).
    fn lint(&self, rule: &Self::Rule, catalog: Option<&BTreeSet<String>>) -> Vec<Issue>;

    /// Compiles and lints `source`: the rule when it is clean, else every issue found.
    fn check(&self, source: &str, catalog: Option<&BTreeSet<String>>) -> Result<Self::Rule, Vec<Issue>> {
        let rule = self.compile(source)?;
        let issues = self.lint(&rule, catalog);
        if issues.is_empty() { Ok(rule) } else { Err(issues) }
    }

    fn activation<'a>(&self, context: &'a EvaluationContext) -> Self::Activation<'a>;

    /// Runs `rule`: `Err` with a message when it cannot answer true or false.
    fn matches(&self, rule: &Self::Rule, activation: &Self::Activation<'_>) -> Result<bool, String>;
}
