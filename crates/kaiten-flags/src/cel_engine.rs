//! The CEL implementation of `RuleEngine` (the `cel` crate, pinned: its API changes often).
//!
//! As in the original: JSON numbers are doubles, so `seats > 10` compares a double with an
//! int (cross-type numeric comparison); `targetingKey` is a string, `__kaiten` a map, every
//! other attribute its own variable. The activation borrows the request's JSON (strings are
//! not copied) and is built straight into the engine's value types: going through `cel::Value`
//! first would convert every map twice, which perf showed as most of an activation's cost.

use std::collections::HashMap;
use std::sync::Arc;

use std::collections::BTreeSet;

use cel::common::types::{CelBool, CelDouble, CelList, CelMap, CelMapKey, CelNull, CelString};
use cel::common::value::Val;
use cel::{Context, Env, Program};

use crate::cel_lint::{self, EMPTY_RULE, quote};
use crate::context::{EvaluationContext, FACTS_ROOT};
use crate::cost;
use crate::rules::{Issue, RuleEngine};

pub struct CelEngine {
    env: Arc<Env>,
}

impl Default for CelEngine {
    fn default() -> Self {
        Self { env: Arc::new(Env::stdlib()) }
    }
}

impl CelEngine {
    /// Parses without the engine's other checks: the lint walks the tree itself.
    pub fn parse(&self, source: &str) -> Result<Program, Vec<Issue>> {
        self.env.compile(source).map_err(|errors| {
            errors
                .errors
                .iter()
                .map(|e| {
                    let (line, column) = e.pos;
                    Issue {
                        message: first_line(&e.msg),
                        line: line.max(0) as i64,
                        column: column.max(0) as i64,
                        end_line: 0,
                        end_column: 0,
                    }
                })
                .collect()
        })
    }
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_owned()
}

/// A parsed rule and what its cost guard needs to know.
pub struct CelRule {
    source: String,
    program: Program,
    iterates_inputs: bool,
}

/// One request's variables, and the size of its largest collection for the cost guard.
pub struct CelActivation<'a> {
    context: Context<'a, 'a>,
    largest_input: u64,
}

impl RuleEngine for CelEngine {
    type Rule = CelRule;
    type Activation<'a> = CelActivation<'a>;

    fn compile(&self, source: &str) -> Result<CelRule, Vec<Issue>> {
        if source.trim().is_empty() {
            return Err(vec![Issue::unpositioned(EMPTY_RULE)]);
        }
        let program = self.parse(source)?;
        let iterates_inputs = cost::iterates_inputs(program.expression());
        Ok(CelRule { source: source.to_owned(), program, iterates_inputs })
    }

    fn lint(&self, source: &str, catalog: Option<&BTreeSet<String>>) -> Vec<Issue> {
        match self.compile(source) {
            Ok(rule) => cel_lint::lint(source, rule.program.expression(), rule.program.source_info(), catalog),
            Err(issues) => issues,
        }
    }

    fn activation<'a>(&self, context: &'a EvaluationContext) -> CelActivation<'a> {
        let mut activation = Context::with_env(self.env.clone());
        let mut largest_input = 0;
        for (name, value) in &context.attributes {
            largest_input = largest_input.max(largest_collection(value));
            activation.add_variable_as_val(name.as_str(), to_val(value));
        }
        for value in context.facts.values() {
            largest_input = largest_input.max(largest_collection(value));
        }
        activation.add_variable_as_val("targetingKey", Box::new(CelString::from(context.targeting_key.as_str())));
        activation.add_variable_as_val(FACTS_ROOT, object(&context.facts));
        CelActivation { context: activation, largest_input: largest_input.max(context.facts.len() as u64) }
    }

    fn matches(&self, rule: &CelRule, activation: &CelActivation<'_>) -> Result<bool, String> {
        let quoted = || quote(&rule.source);
        if rule.iterates_inputs
            && cost::estimate(rule.program.expression(), activation.largest_input) > cost::COST_LIMIT
        {
            return Err(format!("eval error in basicTargeting {}: {}", quoted(), cost::TOO_COSTLY));
        }
        match rule.program.execute(&activation.context) {
            Ok(cel::Value::Bool(answer)) => Ok(answer),
            Ok(_) => Err(format!("basicTargeting {} did not evaluate to a boolean", quoted())),
            Err(err) => {
                Err(format!("eval error in basicTargeting {}: {}", quoted(), lowercase_first(&err.to_string())))
            }
        }
    }
}

/// The number of entries of the largest list or map inside `value`.
fn largest_collection(value: &serde_json::Value) -> u64 {
    match value {
        serde_json::Value::Array(items) => items.iter().map(largest_collection).fold(items.len() as u64, u64::max),
        serde_json::Value::Object(map) => map.values().map(largest_collection).fold(map.len() as u64, u64::max),
        _ => 0,
    }
}

/// cel-go's messages start in lower case ("no such key: x"); the crate capitalises.
fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// JSON to CEL, borrowing its strings; numbers as doubles, the way a JSON-decoded `any`
/// reaches cel-go.
pub fn to_val(value: &serde_json::Value) -> Box<dyn Val + '_> {
    match value {
        serde_json::Value::Null => Box::new(CelNull),
        serde_json::Value::Bool(b) => Box::new(CelBool::from(*b)),
        serde_json::Value::Number(n) => Box::new(CelDouble::from(n.as_f64().unwrap_or_default())),
        serde_json::Value::String(s) => Box::new(CelString::from(s.as_str())),
        serde_json::Value::Array(items) => {
            Box::new(CelList::from(items.iter().map(to_val).collect::<Vec<Box<dyn Val + '_>>>()))
        }
        serde_json::Value::Object(map) => object(map),
    }
}

fn object(map: &serde_json::Map<String, serde_json::Value>) -> Box<dyn Val + '_> {
    let entries: HashMap<CelMapKey<'_>, Box<dyn Val + '_>> =
        map.iter().map(|(k, v)| (CelMapKey::from(k.as_str()), to_val(v))).collect();
    Box::new(CelMap::from(entries))
}
