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
    ("MetadataField", "read:metadata_fields"),
    ("MetadataFieldPage", "read:metadata_fields"),
    ("OrganizationAuditTrail", "read:organizations"),
    ("OrganizationAuditTrailPage", "read:organizations"),
];

/// The most tokens a document may have (the original's parser limit).
pub const MAX_TOKENS: usize = 1000;

/// Field return types by object type, read from the schema's own SDL.
pub struct FieldTypes(HashMap<String, HashMap<String, String>>);

impl FieldTypes {
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types = HashMap::new();
        if let Ok(doc) = async_graphql::parser::parse_schema(sdl) {
            collect(&doc, &mut types);
        }
        Self(types)
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

/// Counts the lexical tokens of a document (names, numbers, strings and punctuators; not
/// whitespace, commas or comments), refusing it past `MAX_TOKENS` before it is parsed.
pub fn check_size(query: &str) -> Result<(), Error> {
    let mut tokens = 0usize;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => continue,
            '#' => {
                while chars.next_if(|&c| c != '\n').is_some() {}
                continue;
            }
            '"' => {
                // A string (block strings count as one too): skip to its closing quote.
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
            }
            c if c.is_alphanumeric() || c == '_' || c == '-' => {
                while chars.next_if(|&c| c.is_alphanumeric() || c == '_' || c == '.').is_some() {}
            }
            _ => {}
        }
        tokens += 1;
        if tokens > MAX_TOKENS {
            return Err(Error::bad_request(
                "GraphQL.TooManyTokens",
                format!("the document has more than {MAX_TOKENS} tokens"),
            ));
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
    }
}
