//! A worst-case cost estimate of a CEL expression, in the spirit of cel-go's estimator: one
//! unit per node visited, a comprehension's body multiplied by the size of what it iterates,
//! and string work (concatenation, regular expressions, searches) proportional to the length
//! of the strings it reads. The `cel` crate has no runtime cost limit, so the same estimate
//! guards evaluation: before a rule whose cost depends on its inputs runs, it is re-estimated
//! with the sizes the request actually carries, and refused when that could exceed the limit.

use cel::IdedExpr;
use cel::common::ast::Expr;

/// The most work a targeting rule may do.
pub const COST_LIMIT: u64 = 20_000;

pub const TOO_COSTLY: &str = "the rule does more work than a targeting rule may (the cost limit is 20000): \
     nest fewer comprehensions, or iterate over shorter lists";

/// Functions whose work grows with the length of the strings they read (cel-go charges
/// them per byte; a tenth of a unit per byte here too).
const SIZED: &[&str] = &["_+_", "matches", "contains", "startsWith", "endsWith"];

/// How big a rule's inputs can be: at write time every input is 1; at run time what the
/// request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    /// Entries of the largest list or map.
    pub collection: u64,
    /// Bytes of the longest string.
    pub string: u64,
}

impl Inputs {
    pub const UNIT: Self = Self { collection: 1, string: 1 };
}

/// The estimated cost of `expr` with inputs of at most the given sizes (literal lists count
/// their elements).
pub fn estimate(expr: &IdedExpr, inputs: Inputs) -> u64 {
    match &expr.expr {
        Expr::Unspecified | Expr::Literal(_) => 0,
        Expr::Ident(_) => 1,
        Expr::Select(s) => estimate(&s.operand, inputs).saturating_add(1),
        Expr::Call(call) if SIZED.contains(&call.func_name.as_str()) => {
            children_cost(expr, inputs).saturating_add(1 + inputs.string / 10)
        }
        // A call costs one, a list 10, a map 30, a message 40, plus their parts.
        Expr::Call(_) => children_cost(expr, inputs).saturating_add(1),
        Expr::List(_) => children_cost(expr, inputs).saturating_add(10),
        Expr::Map(_) => children_cost(expr, inputs).saturating_add(30),
        Expr::Struct(_) => children_cost(expr, inputs).saturating_add(40),
        Expr::Comprehension(c) => {
            let per_iteration = estimate(&c.loop_cond, inputs).saturating_add(estimate(&c.loop_step, inputs));
            estimate(&c.iter_range, inputs)
                .saturating_add(estimate(&c.accu_init, inputs))
                .saturating_add(size(&c.iter_range, inputs).saturating_mul(per_iteration))
                .saturating_add(estimate(&c.result, inputs))
        }
    }
}

fn children_cost(expr: &IdedExpr, inputs: Inputs) -> u64 {
    crate::ast::children(expr).into_iter().fold(0u64, |acc, e| acc.saturating_add(estimate(e, inputs)))
}

/// How many entries a comprehension over `range` visits at most.
fn size(range: &IdedExpr, inputs: Inputs) -> u64 {
    match &range.expr {
        Expr::List(list) => list.elements.len() as u64,
        Expr::Map(map) => map.entries.len() as u64,
        // `map`/`filter` produce at most as many entries as they iterate.
        Expr::Comprehension(c) => size(&c.iter_range, inputs),
        _ => inputs.collection,
    }
}

/// Whether the cost of `expr` depends on the size of the request's inputs: a comprehension
/// over something other than a literal, or string work. Only then is it re-estimated per
/// evaluation.
pub fn depends_on_inputs(expr: &IdedExpr) -> bool {
    let own = match &expr.expr {
        Expr::Comprehension(c) => !matches!(c.iter_range.expr, Expr::List(_) | Expr::Map(_)),
        Expr::Call(call) => SIZED.contains(&call.func_name.as_str()),
        _ => false,
    };
    own || crate::ast::children(expr).into_iter().any(depends_on_inputs)
}
