//! The write-time lint of a CEL rule, as the original's: blank rules, parse errors, reads of
//! `__kaiten` paths that do not exist, entitlements the organization does not have, and a
//! worst-case cost over the limit. The first problem found is the one reported (parse errors
//! are all reported).

use std::collections::BTreeSet;

use cel::IdedExpr;
use cel::common::ast::{Expr, LiteralValue, SourceInfo};

use crate::context::FACTS_ROOT;
use crate::cost::{self, COST_LIMIT};
use crate::rules::Issue;

pub const EMPTY_RULE: &str = "targeting rule is empty — write `true` for a rule that always matches";

const SUB_ROOTS: &[&str] = &["license", "entitlements", "instance", "customer", "deploymentZone"];
const LICENSE_FIELDS: &[&str] = &["slug", "familySlug", "type"];
const INSTANCE_FIELDS: &[&str] = &["id", "slug", "name", "status", "lifecycleStage", "metadata"];
const CUSTOMER_FIELDS: &[&str] = &["id", "name", "slug", "externalCustomerId", "domain"];
const ZONE_FIELDS: &[&str] = &["id", "name", "slug", "type", "metadata", "currentReleaseId"];
const ENTITLEMENT_FIELDS: &[&str] = &["limit", "used", "remaining", "percentage", "unlimited"];

/// Lints a parsed rule. `catalog` holds the organization's entitlement slugs; `None` when it
/// could not be read, in which case slugs are not checked.
pub fn lint(rule: &str, expr: &IdedExpr, info: &SourceInfo, catalog: Option<&BTreeSet<String>>) -> Vec<Issue> {
    let linter = Linter { rule, info, catalog };
    if let Some(issue) = linter.walk(expr) {
        return vec![issue];
    }
    let estimate = cost::estimate(expr, cost::Inputs::UNIT);
    if estimate > COST_LIMIT {
        return vec![Issue::unpositioned(format!(
            "rule {} could cost up to {estimate} to evaluate: {}",
            quote(rule),
            cost::TOO_COSTLY
        ))];
    }
    Vec::new()
}

/// Go's `%q`: the rule quoted the way the original's messages quote it.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

struct Linter<'a> {
    rule: &'a str,
    info: &'a SourceInfo,
    catalog: Option<&'a BTreeSet<String>>,
}

/// The sub-root a select reads under `__kaiten`, if its operand is `__kaiten.<sub>`.
fn facts_sub_root(expr: &IdedExpr) -> Option<&str> {
    match &expr.expr {
        Expr::Select(s) if matches!(&s.operand.expr, Expr::Ident(root) if root == FACTS_ROOT) => Some(&s.field),
        _ => None,
    }
}

/// The slug an expression names an entitlement by (`__kaiten.entitlements['x']` or
/// `__kaiten.entitlements.x`) and the node carrying its position.
fn entitlement_access(expr: &IdedExpr) -> Option<(&str, Span<'_>)> {
    match &expr.expr {
        Expr::Select(s) if facts_sub_root(&s.operand) == Some("entitlements") => {
            Some((&s.field, Span::Field { id: expr.id, name: &s.field }))
        }
        Expr::Call(call) if call.func_name == "_[_]" && call.args.len() == 2 => {
            if facts_sub_root(&call.args[0]) != Some("entitlements") {
                return None;
            }
            match &call.args[1].expr {
                Expr::Literal(LiteralValue::String(slug)) => Some((slug.inner(), Span::Node(call.args[1].id))),
                _ => None,
            }
        }
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Span<'a> {
    /// `.name` after a select's dot.
    Field { id: u64, name: &'a str },
    /// A whole node, e.g. a quoted slug.
    Node(u64),
}

impl Linter<'_> {
    fn walk(&self, expr: &IdedExpr) -> Option<Issue> {
        if let Some(issue) = self.check(expr) {
            return Some(issue);
        }
        crate::ast::children(expr).into_iter().find_map(|e| self.walk(e))
    }

    fn check(&self, expr: &IdedExpr) -> Option<Issue> {
        let Expr::Select(select) = &expr.expr else { return None };
        let field = Span::Field { id: expr.id, name: &select.field };
        let rule = quote(self.rule);
        if matches!(&select.operand.expr, Expr::Ident(root) if root == FACTS_ROOT)
            && !SUB_ROOTS.contains(&select.field.as_str())
        {
            return Some(self.issue(
                format!(
                    "rule {rule} reads {FACTS_ROOT}.{}, which does not exist — available: {}",
                    select.field,
                    SUB_ROOTS.join(", ")
                ),
                field,
            ));
        }
        if let Some((slug, span)) = entitlement_access(expr) {
            return self.check_slug(slug, span);
        }
        if let Some(sub) = facts_sub_root(&select.operand) {
            let fields = match sub {
                "license" => LICENSE_FIELDS,
                "instance" => INSTANCE_FIELDS,
                "customer" => CUSTOMER_FIELDS,
                "deploymentZone" => ZONE_FIELDS,
                _ => return None,
            };
            if !fields.contains(&select.field.as_str()) {
                return Some(self.issue(
                    format!(
                        "rule {rule} reads {FACTS_ROOT}.{sub}.{}, which does not exist — available: {}",
                        select.field,
                        fields.join(", ")
                    ),
                    field,
                ));
            }
        }
        if let Some((slug, span)) = entitlement_access(&select.operand) {
            if !ENTITLEMENT_FIELDS.contains(&select.field.as_str()) {
                return Some(self.issue(
                    format!(
                        "rule {rule} reads .{} on an entitlement, which does not exist — available: {}",
                        select.field,
                        ENTITLEMENT_FIELDS.join(", ")
                    ),
                    field,
                ));
            }
            return self.check_slug(slug, span);
        }
        None
    }

    fn check_slug(&self, slug: &str, span: Span<'_>) -> Option<Issue> {
        let catalog = self.catalog?;
        (!catalog.contains(slug)).then(|| {
            self.issue(
                format!(
                    "rule {} targets the entitlement {}, which this organization does not have",
                    quote(self.rule),
                    quote(slug)
                ),
                span,
            )
        })
    }

    fn issue(&self, message: String, span: Span<'_>) -> Issue {
        // The parser's offsets count bytes; columns count characters.
        let rule = self.rule;
        let range = match span {
            Span::Field { id, name } => self.info.offset_for(id).map(|(dot, _)| {
                let after = rule.get(dot as usize + 1..).unwrap_or_default();
                let start = dot as usize + 1 + (after.len() - after.trim_start().len());
                (dot as usize, start + name.len())
            }),
            Span::Node(id) => self.info.offset_for(id).map(|(start, stop)| {
                let last = rule.get(stop as usize..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
                (start as usize, stop as usize + last)
            }),
        };
        let Some((start, end)) = range else { return Issue::unpositioned(message) };
        let (line, column) = location(rule, start);
        let (end_line, end_column) = location(rule, end);
        Issue { message, line, column, end_line, end_column }
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn location(rule: &str, offset: usize) -> (i64, i64) {
    let mut offset = offset.min(rule.len());
    while !rule.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &rule[..offset];
    let line = before.matches('\n').count() as i64 + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() as i64 + 1;
    (line, column)
}
