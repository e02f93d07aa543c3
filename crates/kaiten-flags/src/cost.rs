//! A worst-case cost estimate of a CEL expression, in the spirit of cel-go's estimator: one
//! unit per node visited, and a comprehension's body multiplied by the size of what it
//! iterates. The `cel` crate has no runtime cost limit, so the same estimate guards
//! evaluation: before a rule that iterates over inputs runs, it is re-estimated with the
//! largest collection the request carries, and refused when that could exceed the limit.

use cel::IdedExpr;
use cel::common::ast::Expr;

/// The most work a targeting rule may do.
pub const COST_LIMIT: u64 = 20_000;

pub const TOO_COSTLY: &str = "the rule does more work than a targeting rule may (the cost limit is 20000): \
     nest fewer comprehensions, or iterate over shorter lists";

/// The estimated cost of `expr` when every collection it reads from its inputs has
/// `input_size` entries (literal lists count their elements).
pub fn estimate(expr: &IdedExpr, input_size: u64) -> u64 {
    match &expr.expr {
        Expr::Unspecified | Expr::Literal(_) => 0,
        Expr::Ident(_) => 1,
        Expr::Select(s) => estimate(&s.operand, input_size).saturating_add(1),
        // A call costs one, a list 10, a map 30, a message 40, plus their parts.
        Expr::Call(_) => children_cost(expr, input_size).saturating_add(1),
        Expr::List(_) => children_cost(expr, input_size).saturating_add(10),
        Expr::Map(_) => children_cost(expr, input_size).saturating_add(30),
        Expr::Struct(_) => children_cost(expr, input_size).saturating_add(40),
        Expr::Comprehension(c) => {
            let per_iteration = estimate(&c.loop_cond, input_size).saturating_add(estimate(&c.loop_step, input_size));
            estimate(&c.iter_range, input_size)
                .saturating_add(estimate(&c.accu_init, input_size))
                .saturating_add(size(&c.iter_range, input_size).saturating_mul(per_iteration))
                .saturating_add(estimate(&c.result, input_size))
        }
    }
}

fn children_cost(expr: &IdedExpr, input_size: u64) -> u64 {
    crate::ast::children(expr).into_iter().fold(0u64, |acc, e| acc.saturating_add(estimate(e, input_size)))
}

/// How many entries a comprehension over `range` visits at most.
fn size(range: &IdedExpr, input_size: u64) -> u64 {
    match &range.expr {
        Expr::List(list) => list.elements.len() as u64,
        Expr::Map(map) => map.entries.len() as u64,
        // `map`/`filter` produce at most as many entries as they iterate.
        Expr::Comprehension(c) => size(&c.iter_range, input_size),
        _ => input_size,
    }
}

/// Whether some comprehension of `expr` iterates over something other than a literal: only
/// then does the size of the request's inputs matter.
pub fn iterates_inputs(expr: &IdedExpr) -> bool {
    let literal_range = |e: &IdedExpr| match &e.expr {
        Expr::Comprehension(c) => matches!(c.iter_range.expr, Expr::List(_) | Expr::Map(_)),
        _ => true,
    };
    !literal_range(expr) || crate::ast::children(expr).into_iter().any(iterates_inputs)
}
