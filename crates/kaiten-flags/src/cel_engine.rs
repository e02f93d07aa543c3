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

/// The deepest a rule's expression may nest.
pub const MAX_DEPTH: usize = 64;
pub const TOO_DEEP: &str = "the rule nests more deeply than a targeting rule may (64 levels): \
     split long chains of operators or parentheses";

/// An upper bound of how deeply the source can nest, checked before parsing (which recurses
/// too): the bracket nesting, or the number of operator characters outside string literals
/// (a chain of binary operators nests one level per operator).
fn nesting(source: &str) -> usize {
    let (mut level, mut brackets, mut operators) = (0usize, 0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in source.chars() {
        if let Some(open) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == open => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => {
                level += 1;
                brackets = brackets.max(level);
            }
            ')' | ']' | '}' => level = level.saturating_sub(1),
            '+' | '-' | '*' | '/' | '%' | '<' | '>' | '=' | '!' | '&' | '|' | '?' | '.' => operators += 1,
            _ => {}
        }
    }
    // Operators come in pairs (`==`, `&&`) and most of a rule's do not chain: a generous bound.
    brackets.max(operators / 4)
}

/// A parsed rule and what its cost guard needs to know.
pub struct CelRule {
    source: String,
    program: Program,
    /// Whether its cost depends on the size of the request's inputs.
    sized: bool,
}

/// One request's variables, and the sizes the cost guard re-estimates with.
pub struct CelActivation<'a> {
    context: Context<'a, 'a>,
    inputs: cost::Inputs,
}

impl RuleEngine for CelEngine {
    type Rule = CelRule;
    type Activation<'a> = CelActivation<'a>;

    fn compile(&self, source: &str) -> Result<CelRule, Vec<Issue>> {
        if source.trim().is_empty() {
            return Err(vec![Issue::unpositioned(EMPTY_RULE)]);
        }
        // The parser and the evaluator recurse: a rule nested past these bounds could exhaust
        // a worker's stack, which aborts the process rather than failing the request.
        if nesting(source) > MAX_DEPTH {
            return Err(vec![Issue::unpositioned(TOO_DEEP)]);
        }
        let program = self.parse(source)?;
        if crate::ast::depth(program.expression()) > MAX_DEPTH {
            return Err(vec![Issue::unpositioned(TOO_DEEP)]);
        }
        let sized = cost::depends_on_inputs(program.expression());
        Ok(CelRule { source: source.to_owned(), program, sized })
    }

    fn lint(&self, rule: &CelRule, catalog: Option<&BTreeSet<String>>) -> Vec<Issue> {
        cel_lint::lint(&rule.source, rule.program.expression(), rule.program.source_info(), catalog)
    }

    fn activation<'a>(&self, context: &'a EvaluationContext) -> CelActivation<'a> {
        let mut activation = Context::with_env(self.env.clone());
        let mut inputs =
            cost::Inputs { collection: context.facts.len() as u64, string: context.targeting_key.len() as u64 };
        for (name, value) in &context.attributes {
            measure(value, &mut inputs);
            activation.add_variable_as_val(name.as_str(), to_val(value));
        }
        for value in context.facts.values() {
            measure(value, &mut inputs);
        }
        activation.add_variable_as_val("targetingKey", Box::new(CelString::from(context.targeting_key.as_str())));
        activation.add_variable_as_val(FACTS_ROOT, object(&context.facts));
        CelActivation { context: activation, inputs }
    }

    fn matches(&self, rule: &CelRule, activation: &CelActivation<'_>) -> Result<bool, String> {
        let quoted = || quote(&rule.source);
        if rule.sized && cost::estimate(rule.program.expression(), activation.inputs) > cost::COST_LIMIT {
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

/// Raises `inputs` to the largest list or map, and the longest string, inside `value`.
fn measure(value: &serde_json::Value, inputs: &mut cost::Inputs) {
    match value {
        serde_json::Value::String(s) => inputs.string = inputs.string.max(s.len() as u64),
        serde_json::Value::Array(items) => {
            inputs.collection = inputs.collection.max(items.len() as u64);
            items.iter().for_each(|v| measure(v, inputs));
        }
        serde_json::Value::Object(map) => {
            inputs.collection = inputs.collection.max(map.len() as u64);
            for (key, v) in map {
                inputs.string = inputs.string.max(key.len() as u64);
                measure(v, inputs);
            }
        }
        _ => {}
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
