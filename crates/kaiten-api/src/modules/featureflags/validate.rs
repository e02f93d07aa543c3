//! The semantic checks of a flag the schema cannot express, in the original's order and
//! words: the default variant, the variant values against the type, the fallback value, the
//! variants each targeting names, then each rule's lint against the entitlement catalog.
//! A rule that is blank or does not parse is a malformed body (422), as in the original.

use std::collections::{BTreeSet, HashSet};

use kaiten_flags::{CelEngine, RuleEngine};
use kaiten_kernel::{Error, ErrorDetail};
use serde_json::Value;

use super::schema::FeatureFlagInput;

fn failed(message: String) -> Error {
    Error::bad_request("VALIDATION_FAILED", "validation error")
        .with_errors(vec![ErrorDetail::new("body.errors", message)])
}

/// The name Go's reflection gives a JSON value's kind, as the original's messages print it.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

fn missing<'a>(names: impl IntoIterator<Item = &'a str>, known: &HashSet<&str>) -> Vec<&'a str> {
    names.into_iter().filter(|n| !known.contains(n)).collect()
}

pub fn check(engine: &CelEngine, flag: &FeatureFlagInput, catalog: Option<&BTreeSet<String>>) -> Result<(), Error> {
    let name = &flag.name;
    let quoted = kaiten_flags::cel_lint::quote(name);
    let known: HashSet<&str> = flag.variants.iter().flatten().map(|v| v.name.as_str()).collect();

    let named = flag.default_variant.names();
    if named.iter().all(|n| n.is_empty()) {
        return Err(failed(format!("invalid default variant for flag {quoted}: default variant cannot be empty")));
    }
    let unknown = missing(named, &known);
    if !unknown.is_empty() {
        return Err(failed(format!(
            "invalid default variant for flag {quoted}: default variant references non-existent variants: [{}]",
            unknown.join(" ")
        )));
    }
    for variant in flag.variants.iter().flatten() {
        if variant.value.is_null() {
            return Err(failed(format!(
                "invalid variants for flag {quoted}: variant {} has nil value",
                kaiten_flags::cel_lint::quote(&variant.name)
            )));
        }
        if !flag.r#type.admits(&variant.value) {
            return Err(failed(format!(
                "invalid variants for flag {quoted}: variant {} has type {} but flag type is {}",
                kaiten_flags::cel_lint::quote(&variant.name),
                kind(&variant.value),
                flag.r#type.as_str()
            )));
        }
    }
    if let Some(fallback) = flag.metadata.get("fallback_value").filter(|v| !v.is_null())
        && !flag.r#type.admits(fallback)
    {
        return Err(failed(format!(
            "invalid metadata for flag {quoted}: metadata fallback_value has type {} but flag type is {}",
            kind(fallback),
            flag.r#type.as_str()
        )));
    }
    let targetings = flag.targetings.as_deref().unwrap_or_default();
    for (index, targeting) in targetings.iter().enumerate() {
        let choice = targeting.choice();
        let unknown = missing(choice.names(), &known);
        if !unknown.is_empty() {
            return Err(failed(format!(
                "invalid targeting for flag {quoted}: targeting rule {index} references non-existent variants: [{}]",
                unknown.join(" ")
            )));
        }
    }
    for (index, targeting) in targetings.iter().enumerate() {
        let rule = engine.compile(targeting.rule()).map_err(|issues| {
            let errors = issues
                .iter()
                .map(|i| ErrorDetail::new(format!("body.targetings[{index}].rule"), i.message.clone()))
                .collect();
            Error::unprocessable("validation failed", errors)
        })?;
        if let Some(issue) = engine.lint(&rule, catalog).into_iter().next() {
            return Err(failed(format!("invalid targeting for flag {quoted}: {}", issue.message)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: Value) -> FeatureFlagInput {
        serde_json::from_value(v).unwrap()
    }

    fn base() -> Value {
        json!({
            "type": "boolean", "name": "Checkout", "description": null, "metadata": {}, "enabled": true,
            "event_name": "e", "targetings": null,
            "variants": [{"name": "on", "description": "", "value": true}, {"name": "off", "description": "", "value": false}],
            "default_variant": {"type": "basic", "value": "off"}
        })
    }

    fn message(err: Error) -> String {
        err.errors()[0].message.clone()
    }

    #[test]
    fn each_rule_gives_the_originals_message() {
        let engine = CelEngine::default();
        let catalog: BTreeSet<String> = ["seats".to_owned()].into();
        let check = |patch: Value| {
            let mut v = base();
            for (k, val) in patch.as_object().unwrap() {
                v[k] = val.clone();
            }
            check(&engine, &input(v), Some(&catalog))
        };
        assert!(check(json!({})).is_ok());
        let err = check(json!({"default_variant": {"type": "basic", "value": "maybe"}})).unwrap_err();
        assert_eq!(err.code(), "VALIDATION_FAILED");
        assert_eq!(
            message(err),
            "invalid default variant for flag \"Checkout\": default variant references non-existent variants: [maybe]"
        );
        let err = check(json!({"variants": [{"name": "off", "description": "", "value": "no"}]})).unwrap_err();
        assert_eq!(
            message(err),
            "invalid variants for flag \"Checkout\": variant \"off\" has type string but flag type is boolean"
        );
        let err = check(json!({"metadata": {"fallback_value": 3}})).unwrap_err();
        assert_eq!(
            message(err),
            "invalid metadata for flag \"Checkout\": metadata fallback_value has type float64 but flag type is boolean"
        );
        let err = check(json!({"targetings": [{"type": "basic", "name": "t", "rule": "true", "variant": "ghost"}]}))
            .unwrap_err();
        assert_eq!(
            message(err),
            "invalid targeting for flag \"Checkout\": targeting rule 0 references non-existent variants: [ghost]"
        );
        let err = check(json!({"targetings": [{"type": "basic", "name": "t", "rule": "__kaiten.entitlements.sieges.used > 1", "variant": "on"}]})).unwrap_err();
        assert!(message(err).ends_with("targets the entitlement \"sieges\", which this organization does not have"));
        let err =
            check(json!({"targetings": [{"type": "basic", "name": "t", "rule": "1 +", "variant": "on"}]})).unwrap_err();
        assert_eq!((err.status().as_u16(), err.errors()[0].location.as_str()), (422, "body.targetings[0].rule"));
    }
}
