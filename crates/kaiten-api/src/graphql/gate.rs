//! Checks made on the document before anything runs: its size in tokens, and the scope gate
//! of the original — every field the document selects (through every fragment, whatever
//! `@skip`/`@include` say) requires the read scope of the object type it returns.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Selection, SelectionSet, ServiceDocument, Type, TypeKind,
    TypeSystemDefinition,
};
use kaiten_kernel::{Error, Principal};

/// The read scope each object type requires; types not listed (User, the scalars, pages of
/// nothing) need none.
const SCOPES: &[(&str, &str)] = &[
    ("Customer", "read:customers"),
    ("CustomerPage", "read:customers"),
    ("Instance", "read:instances"),
    ("InstancePage", "read:instances"),
    ("AuditTrail", "read:instances"),
    ("AuditTrailPage", "read:instances"),
    ("EntitlementUsage", "read:instances"),
    ("License", "read:licenses"),
    ("LicensePage", "read:licenses"),
    ("LicenseEntitlement", "read:licenses"),
    ("LicenseFamily", "read:licenses"),
    ("LicenseFamilyView", "read:licenses"),
    ("Entitlement", "read:entitlements"),
    ("EntitlementPage", "read:entitlements"),
    ("EntitlementGroupSummary", "read:entitlements"),
    ("DeploymentZone", "read:deployment_zones"),
    ("DeploymentZonePage", "read:deployment_zones"),
    ("Deployment", "read:deployment_zones"),
    ("Release", "read:releases"),
    ("ReleasePage", "read:releases"),
    ("Component", "read:components"),
    ("ComponentPage", "read:components"),
    ("OrganizationAuditTrail", "read:organizations"),
    ("OrganizationAuditTrailPage", "read:organizations"),
];

/// The most tokens a document may have (the original's parser limit).
pub const MAX_TOKENS: usize = 1000;

/// Field return types by object type, read from the schema's own SDL.
pub struct FieldTypes(HashMap<String, HashMap<String, String>>);

impl FieldTypes {
    /// Panics on SDL that does not parse: it is the schema's own, at startup, and a gate that
    /// knew no field would let everything through.
    pub fn from_sdl(sdl: &str) -> Self {
        let doc = async_graphql::parser::parse_schema(sdl).expect("the schema's own SDL parses");
        let mut types = HashMap::new();
        collect(&doc, &mut types);
        Self(types)
    }

    /// Object types that no entry of the scope table names.
    pub fn unscoped(&self) -> Vec<&str> {
        let mut names: Vec<&str> =
            self.0.keys().map(String::as_str).filter(|t| !SCOPES.iter().any(|(ty, _)| ty == t)).collect();
        names.sort_unstable();
        names
    }

    fn returns(&self, parent: &str, field: &str) -> Option<&str> {
        self.0.get(parent)?.get(field).map(String::as_str)
    }
}

fn collect(doc: &ServiceDocument, types: &mut HashMap<String, HashMap<String, String>>) {
    for definition in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = definition else { continue };
        let TypeKind::Object(object) = &ty.node.kind else { continue };
        let fields = types.entry(ty.node.name.node.to_string()).or_default();
        for field in &object.fields {
            fields.insert(field.node.name.node.to_string(), named(&field.node.ty.node).to_owned());
        }
    }
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// The longest document accepted, in bytes: the token count bounds the parser's work only if
/// whitespace, comments and strings cannot grow without limit either.
pub const MAX_BYTES: usize = 64 * 1024;

/// Counts the lexical tokens of a document (names, numbers, strings and punctuators; not
/// whitespace, commas or comments), refusing it past `MAX_TOKENS` — or past `MAX_BYTES` —
/// before it is parsed: the parser recurses, so its input must be bounded first.
pub fn check_size(query: &str) -> Result<(), Error> {
    let too_big = || {
        Error::bad_request(
            "GraphQL.TooManyTokens",
            format!("the document has more than {MAX_TOKENS} tokens or {MAX_BYTES} bytes"),
        )
    };
    if query.len() > MAX_BYTES {
        return Err(too_big());
    }
    let mut tokens = 0usize;
    let mut rest = query;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => continue,
            // A comment runs to the end of the line, which \r ends as well as \n.
            '#' => {
                rest = rest.find(['\n', '\r']).map_or("", |end| &rest[end..]);
                continue;
            }
            '"' if rest.starts_with("\"\"") => {
                // A block string: up to the next unescaped `"""`.
                rest = &rest[2..];
                let mut at = 0;
                rest = loop {
                    match rest[at..].find("\"\"\"") {
                        Some(i) if rest[..at + i].ends_with('\\') => at += i + 3,
                        Some(i) => break &rest[at + i + 3..],
                        None => break "",
                    }
                };
            }
            '"' => {
                // A string: up to the next unescaped quote.
                let mut escaped = false;
                let end = rest.char_indices().find(|&(_, c)| {
                    let closes = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    closes
                });
                rest = end.map_or("", |(i, _)| &rest[i + 1..]);
            }
            c if c.is_alphanumeric() || c == '_' || c == '-' => {
                let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).unwrap_or(rest.len());
                rest = &rest[end..];
            }
            _ => {}
        }
        tokens += 1;
        if tokens > MAX_TOKENS {
            return Err(too_big());
        }
    }
    Ok(())
}

/// Refuses the document with 400 `GraphQL.TooDeep` when its fields nest deeper than
/// `max_depth` (checked here, before the executor's complexity check, so that a deep document
/// is reported as deep), then with 403 `Auth.MissingScope` when the caller lacks the read
/// scope of any object type it selects. Introspection, when the server has it off, is a 400.
pub fn check(
    types: &FieldTypes,
    doc: &ExecutableDocument,
    caller: &Principal,
    max_depth: usize,
    introspection: bool,
) -> Result<(), Error> {
    let mut needed = HashSet::new();
    let mut walk =
        Walk { types, doc, needed: &mut needed, visited: HashSet::new(), depth: 0, deepest: 0, introspects: false };
    match &doc.operations {
        DocumentOperations::Single(op) => walk.selections(&op.node.selection_set.node, "Query"),
        DocumentOperations::Multiple(ops) => {
            for op in ops.values() {
                walk.selections(&op.node.selection_set.node, "Query");
            }
        }
    }
    if walk.introspects && !introspection {
        return Err(Error::bad_request(
            "GraphQL.IntrospectionDisabled",
            "introspection is off on this server (KAITEN_GRAPHQL_INTROSPECTION)",
        ));
    }
    if walk.deepest > max_depth {
        return Err(Error::bad_request(
            "GraphQL.TooDeep",
            format!("the document nests deeper than {max_depth} levels"),
        ));
    }
    let mut needed: Vec<&str> = needed.into_iter().collect();
    needed.sort_unstable();
    needed.into_iter().try_for_each(|scope| caller.require(scope))
}

struct Walk<'a> {
    types: &'a FieldTypes,
    doc: &'a ExecutableDocument,
    needed: &'a mut HashSet<&'static str>,
    /// Fragments already walked on a type, so a fragment cycle (refused later by validation)
    /// cannot loop here.
    visited: HashSet<(String, String)>,
    depth: usize,
    deepest: usize,
    /// Whether `__schema` or `__type` is selected.
    introspects: bool,
}

impl Walk<'_> {
    fn selections(&mut self, set: &SelectionSet, parent: &str) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    self.introspects |= name == "__schema" || name == "__type";
                    let Some(returns) = self.types.returns(parent, name) else { continue };
                    let returns = returns.to_owned();
                    if let Some((_, scope)) = SCOPES.iter().find(|(ty, _)| *ty == returns) {
                        self.needed.insert(scope);
                    }
                    self.depth += 1;
                    self.deepest = self.deepest.max(self.depth);
                    self.selections(&field.node.selection_set.node, &returns);
                    self.depth -= 1;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node) else { continue };
                    let on = fragment.node.type_condition.node.on.node.to_string();
                    if self.visited.insert((name, on.clone())) {
                        self.selections(&fragment.node.selection_set.node, &on);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or_else(|| parent.to_owned(), |c| c.node.on.node.to_string());
                    self.selections(&inline.node.selection_set.node, &on);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_object_type_but_the_root_and_users_needs_a_scope() {
        let types = FieldTypes::from_sdl(&crate::graphql::sdl());
        assert_eq!(types.unscoped(), ["Query", "User"]);
    }

    #[test]
    fn tokens_are_counted_without_whitespace_commas_or_comments() {
        assert!(check_size("{ a b c }").is_ok());
        let big = format!("{{ {} }}", "f ".repeat(MAX_TOKENS));
        assert_eq!(check_size(&big).unwrap_err().code(), "GraphQL.TooManyTokens");
        let commented = format!("# {}\n{{ a }}", "x ".repeat(5000));
        assert!(check_size(&commented).is_ok());
        let string = format!("{{ a(s: \"{}\") }}", "word ".repeat(5000));
        assert!(check_size(&string).is_ok());
        let commas = format!("{{ {} }}", ",".repeat(5000));
        assert!(check_size(&commas).is_ok());
        // A comment ends at \r too: what follows it is counted.
        let after_cr = format!("#x\r{}", "{a".repeat(MAX_TOKENS));
        assert!(check_size(&after_cr).is_err());
        // A lone quote inside a block string does not open a string that swallows the rest.
        let block = format!("{{ a(s: \"\"\" \" \\\"\"\" \"\"\") {} }}", "b ".repeat(MAX_TOKENS));
        assert!(check_size(&block).is_err());
        assert!(check_size("{ a(s: \"\"\" x \"\"\") }").is_ok());
        let huge = format!("# {}\n{{ a }}", "x".repeat(MAX_BYTES));
        assert!(check_size(&huge).is_err(), "bytes are bounded too");
    }
}
