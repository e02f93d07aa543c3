//! One flag evaluated for one context, exactly in the original's order: disabled, targeting
//! key, targetings in order (broken ones skipped and reported), then the default variant.

use std::cell::OnceCell;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::bucket::bucket;
use crate::choice;
use crate::context::EvaluationContext;
use crate::definition::{Choice, Definition};
use crate::rules::RuleEngine;

/// The metadata key broken rules are reported under.
pub const BROKEN_RULES_KEY: &str = "kaiten.brokenTargetingRules";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    Static,
    Default,
    TargetingMatch,
    Split,
    Disabled,
    Error,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Static => "STATIC",
            Self::Default => "DEFAULT",
            Self::TargetingMatch => "TARGETING_MATCH",
            Self::Split => "SPLIT",
            Self::Disabled => "DISABLED",
            Self::Error => "ERROR",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    FlagNotFound,
    ProviderFatal,
    General,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FlagNotFound => "FLAG_NOT_FOUND",
            Self::ProviderFatal => "PROVIDER_FATAL",
            Self::General => "GENERAL",
        }
    }
}

/// A flag ready to serve: its definition, its rules compiled once, its values by name.
pub struct CompiledFlag<R> {
    pub id: String,
    pub definition: Definition,
    /// One per targeting: the rule, or why it cannot run.
    rules: Vec<Result<R, String>>,
    /// One per targeting: what it serves once matched (taken out of the wire shape once).
    choices: Vec<Choice>,
    values: HashMap<String, Value>,
}

impl<R> CompiledFlag<R> {
    pub fn compile<E: RuleEngine<Rule = R>>(engine: &E, id: String, definition: Definition) -> Self {
        let rules = definition
            .targetings
            .iter()
            .flatten()
            .map(|t| {
                engine.compile(t.rule()).map_err(|issues| {
                    let detail = issues.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; ");
                    format!("parse error in basicTargeting {}: {detail}", crate::cel_lint::quote(t.rule()))
                })
            })
            .collect();
        let values = definition.variants.iter().flatten().map(|v| (v.name.clone(), v.value.clone())).collect();
        let choices = definition.targetings.iter().flatten().map(|t| t.choice()).collect();
        Self { id, definition, rules, choices, values }
    }

    pub fn slug(&self) -> &str {
        &self.definition.slug
    }

    /// Every choice the flag can serve from: its default variant, then each targeting's.
    pub fn choices(&self) -> impl Iterator<Item = &Choice> {
        std::iter::once(&self.definition.default_variant).chain(&self.choices)
    }

    /// The value served for a variant name: the flag type's zero value for an empty or
    /// unknown name; `None` for a variant whose value is null (the response omits it).
    fn value_of(&self, variant: &str) -> Option<Value> {
        match self.values.get(variant) {
            Some(Value::Null) => None,
            Some(value) => Some(value.clone()),
            None => Some(self.definition.flag_type.zero_value()),
        }
    }
}

/// What evaluating one flag produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub value: Option<Value>,
    pub variant: String,
    pub reason: Reason,
    pub error: Option<(ErrorCode, String)>,
    pub matched_rule: Option<String>,
    /// The flag's metadata, plus the broken rules when there were any.
    pub metadata: Map<String, Value>,
}

/// Evaluates `flag`. `activation` is built on first need and shared by every flag of a bulk
/// request, so a request converts its context once.
pub fn evaluate<'c, E: RuleEngine>(
    engine: &E,
    flag: &CompiledFlag<E::Rule>,
    context: &'c EvaluationContext,
    activation: &OnceCell<E::Activation<'c>>,
    now: DateTime<Utc>,
) -> Resolution {
    let slot = bucket(flag.slug(), &context.targeting_key);
    let default = &flag.definition.default_variant;
    let default_variant = choice::resolve(default, slot, now).unwrap_or_default().to_owned();
    let served = |variant: String, reason: Reason, broken: Vec<String>, matched_rule: Option<String>| Resolution {
        value: flag.value_of(&variant),
        variant,
        reason,
        error: None,
        matched_rule,
        metadata: metadata(&flag.definition.metadata, broken),
    };
    if !flag.definition.enabled {
        return served(default_variant, Reason::Disabled, Vec::new(), None);
    }
    if context.targeting_key.is_empty() {
        return Resolution {
            error: Some((ErrorCode::ProviderFatal, "missing targeting key".to_owned())),
            ..served(default_variant, Reason::Error, Vec::new(), None)
        };
    }
    let targetings = flag.definition.targetings.as_deref().unwrap_or_default();
    let mut broken = Vec::new();
    for ((targeting, rule), choice) in targetings.iter().zip(&flag.rules).zip(&flag.choices) {
        let verdict = rule.as_ref().map_err(Clone::clone).and_then(|rule| {
            let activation = activation.get_or_init(|| engine.activation(context));
            engine.matches(rule, activation)
        });
        match verdict {
            Err(message) => broken.push(format!("{}: {message}", targeting.name())),
            Ok(false) => {}
            Ok(true) => {
                let Some(variant) = choice::resolve(choice, slot, now).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let reason = if choice.is_rollout() { Reason::Split } else { Reason::TargetingMatch };
                return served(variant.to_owned(), reason, broken, Some(targeting.name().to_owned()));
            }
        }
    }
    let reason = if targetings.is_empty() { own_reason(default) } else { Reason::Default };
    served(default_variant, reason, broken, None)
}

/// The reason a default variant gives when a flag has no targetings at all.
fn own_reason(choice: &Choice) -> Reason {
    if choice.is_rollout() { Reason::Split } else { Reason::Static }
}

fn metadata(flag: &Map<String, Value>, broken: Vec<String>) -> Map<String, Value> {
    let mut metadata = flag.clone();
    if !broken.is_empty() {
        metadata.insert(BROKEN_RULES_KEY.to_owned(), Value::from(broken));
    }
    metadata
}
