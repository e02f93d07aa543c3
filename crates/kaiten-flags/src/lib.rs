//! Feature-flag evaluation without I/O: the flag model, targeting rules behind `RuleEngine`
//! (CEL in `cel_engine`), sticky bucketing and rollouts, the `__kaiten` facts, and the
//! evaluation order of the original. Everything here is deterministic given a clock reading.

mod ast;
pub mod bucket;
pub mod cel_engine;
pub mod cel_lint;
pub mod choice;
pub mod context;
pub mod cost;
pub mod definition;
pub mod evaluate;
pub mod facts;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod rules;

pub use cel_engine::CelEngine;
pub use context::{EvaluationContext, InstanceReference};
pub use definition::{Choice, Definition, FlagType, RolloutStep, Targeting, Variant};
pub use evaluate::{CompiledFlag, ErrorCode, Reason, Resolution, evaluate};
pub use rules::{Issue, RuleEngine};
