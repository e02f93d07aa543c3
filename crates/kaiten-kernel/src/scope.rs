//! Scopes are `<action>:<module>` strings, matched exactly as the original's `HasScope`.

/// Modules an organization credential can hold scopes on (the contract's `x-kaiten-scopes`).
pub const ORGANIZATION_MODULES: [&str; 13] = [
    "components",
    "customers",
    "deployment_zones",
    "entitlements",
    "feature_flags",
    "instances",
    "licenses",
    "metadata_fields",
    "notifications",
    "organizations",
    "releases",
    "tokens",
    "webhooks",
];

/// Modules that exist only on the Platform API.
pub const PLATFORM_ONLY_MODULES: [&str; 2] = ["users", "memberships"];

/// The `delete:` scopes; every operation that needs one is a Platform operation.
pub const DELETE_SCOPES: [&str; 3] = ["delete:organizations", "delete:memberships", "delete:users"];

/// The 26 scopes an organization credential can carry, sorted as published.
pub fn organization_scopes() -> Vec<String> {
    let mut scopes: Vec<String> = ["read", "write"]
        .iter()
        .flat_map(|action| ORGANIZATION_MODULES.iter().map(move |module| format!("{action}:{module}")))
        .collect();
    scopes.sort();
    scopes
}

/// Every scope there is: what a default platform credential holds, so that it can mint a
/// full-access organization token.
pub fn all_scopes() -> Vec<String> {
    let mut scopes = organization_scopes();
    scopes.extend(DELETE_SCOPES.iter().map(|s| (*s).to_owned()));
    scopes.sort();
    scopes
}

/// Whether the held scopes grant `required`.
///
/// `write:*` grants everything including `delete:` scopes; `read:*` grants every `read:`;
/// `write:X` implies `read:X` but never `delete:X`.
pub fn has_scope<S: AsRef<str>>(held: &[S], required: &str) -> bool {
    held.iter().any(|h| grants(h.as_ref(), required))
}

fn grants(held: &str, required: &str) -> bool {
    if held == required || held == "write:*" {
        return true;
    }
    if held == "read:*" {
        return required.starts_with("read:");
    }
    match (held.strip_prefix("write:"), required.strip_prefix("read:")) {
        (Some(held_module), Some(required_module)) => held_module == required_module,
        _ => false,
    }
}

/// Whether a scope string is well formed: a known action on a known module, or a wildcard.
pub fn is_valid_scope(scope: &str) -> bool {
    let Some((action, module)) = scope.split_once(':') else {
        return false;
    };
    match action {
        "read" | "write" => module == "*" || is_module(module),
        "delete" => is_module(module),
        _ => false,
    }
}

fn is_module(module: &str) -> bool {
    ORGANIZATION_MODULES.contains(&module) || PLATFORM_ONLY_MODULES.contains(&module)
}

/// The scopes that are not well formed, for a validation error.
pub fn invalid_scopes<S: AsRef<str>>(scopes: &[S]) -> Vec<String> {
    scopes.iter().map(AsRef::as_ref).filter(|s| !is_valid_scope(s)).map(str::to_owned).collect()
}

/// Refuses malformed scopes with a 400 carrying one `body.scopes` entry per bad scope.
pub fn validate<S: AsRef<str>>(scopes: &[S], code: &'static str) -> Result<(), crate::Error> {
    let invalid = invalid_scopes(scopes);
    if invalid.is_empty() {
        return Ok(());
    }
    let details =
        invalid.iter().map(|s| crate::ErrorDetail::new("body.scopes", format!("invalid scope {s}"))).collect();
    Err(crate::Error::bad_request(code, "scopes must be <read|write|delete>:<module>").with_errors(details))
}

/// Whether every requested scope is granted by the held ones (a minted token never exceeds
/// its minter). A requested wildcard is covered by its wildcard or by every scope it stands for.
pub fn is_subset<A: AsRef<str>, B: AsRef<str>>(requested: &[A], held: &[B]) -> bool {
    requested.iter().all(|r| match r.as_ref() {
        wildcard @ ("read:*" | "write:*") if !has_scope(held, wildcard) => {
            expand(wildcard).iter().all(|concrete| has_scope(held, concrete))
        }
        scope => has_scope(held, scope),
    })
}

fn expand(wildcard: &str) -> Vec<String> {
    if wildcard == "write:*" {
        all_scopes()
    } else {
        ORGANIZATION_MODULES.iter().map(|m| format!("read:{m}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_passes_and_others_do_not() {
        assert!(has_scope(&["read:customers"], "read:customers"));
        assert!(!has_scope(&["read:customers"], "read:licenses"));
        assert!(!has_scope(&["read:customers"], "write:customers"));
        assert!(!has_scope::<&str>(&[], "read:customers"));
    }

    #[test]
    fn write_implies_read_of_the_same_module_only() {
        assert!(has_scope(&["write:customers"], "read:customers"));
        assert!(!has_scope(&["write:customers"], "read:licenses"));
    }

    #[test]
    fn write_does_not_imply_delete() {
        assert!(!has_scope(&["write:organizations"], "delete:organizations"));
    }

    #[test]
    fn read_wildcard_grants_reads_only() {
        assert!(has_scope(&["read:*"], "read:instances"));
        assert!(!has_scope(&["read:*"], "write:instances"));
        assert!(!has_scope(&["read:*"], "delete:users"));
    }

    #[test]
    fn write_wildcard_grants_everything_including_delete() {
        for required in ["read:customers", "write:releases", "delete:organizations", "delete:users"] {
            assert!(has_scope(&["write:*"], required), "{required}");
        }
    }

    #[test]
    fn vocabulary_has_26_org_scopes_and_validation_rejects_garbage() {
        assert_eq!(organization_scopes().len(), 26);
        assert_eq!(all_scopes().len(), 29);
        assert!(is_valid_scope("write:*"));
        assert!(is_valid_scope("delete:users"));
        assert!(!is_valid_scope("delete:*"));
        assert!(!is_valid_scope("admin:customers"));
        assert!(!is_valid_scope("read:nothing"));
        assert!(!is_valid_scope("readcustomers"));
        assert_eq!(invalid_scopes(&["read:customers", "bogus"]), vec!["bogus".to_owned()]);
    }

    #[test]
    fn subset_uses_scope_matching() {
        assert!(is_subset(&["read:customers"], &["write:customers"]));
        assert!(is_subset(&["delete:users", "read:licenses"], &["write:*"]));
        assert!(!is_subset(&["write:customers"], &["read:*"]));
        assert!(is_subset(&["read:*"], &all_scopes()), "a wildcard is covered by all it stands for");
        assert!(is_subset(&["write:*"], &all_scopes()));
        assert!(!is_subset(&["read:*"], &["read:customers"]));
        assert!(!is_subset(&["write:*"], &organization_scopes()), "write:* also grants delete:*");
    }
}
