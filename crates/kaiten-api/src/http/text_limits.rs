//! Upper bounds on free text. The contract bounds slugs, a few names and CEL expressions and
//! leaves the rest unbounded, so a 100 000-character customer name was stored. Every string
//! property named here, wherever it appears in a component schema, gets a `maxLength` unless
//! the schema already sets one (the contract's own bounds win), and every `metadata` object a
//! bound on its keys and string values. The limits are far past what a real client sends;
//! being in the published document, they are enforced by request validation (ADR 0003) as a
//! 422 with the failing location, and clients can read them.

use serde_json::{Map, Value, json};

/// `(property, maxLength)`: free text that is stored and shown back. A `Schema.property` entry
/// bounds that schema's property only. References (ids, slugs) are not here: they are
/// resolved, never stored as given, and the contract bounds slugs itself.
pub const TEXT_LIMITS: &[(&str, u64)] = &[
    ("name", 255),
    ("description", 2000),
    ("domain", 253),
    ("externalId", 255),
    ("externalCustomerId", 255),
    ("external_id", 255),
    ("web_url", 2048),
    ("last_error", 2000),
    ("event_name", 255),
    ("variant", 255),
    ("targetingKey", 1000),
    ("lifecycleStage", 100),
    ("Basic.value", 10_000),
    ("DeploymentZone.type", 100),
];

/// A `metadata` object: at most this many keys, each this long, each string value this long.
pub const METADATA_MAX_KEYS: u64 = 100;
pub const METADATA_MAX_KEY_LENGTH: u64 = 255;
pub const METADATA_MAX_STRING_LENGTH: u64 = 10_000;

/// Adds the bounds to every component schema of an OpenAPI document (as JSON).
pub fn bound(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            walk(name, schema);
        }
    }
}

/// `component` is the name of the component schema the walk is in (inline objects included).
fn walk(component: &str, schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else { return };
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            bound_property(component, name, property);
            walk(component, property);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = object.get_mut(key) {
            walk(component, inner);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(members) = object.get_mut(key).and_then(Value::as_array_mut) {
            members.iter_mut().for_each(|member| walk(component, member));
        }
    }
}

fn limit_of(component: &str, property: &str) -> Option<u64> {
    TEXT_LIMITS.iter().find_map(|(entry, limit)| {
        let matches = match entry.split_once('.') {
            Some((schema, name)) => schema == component && name == property,
            None => *entry == property,
        };
        matches.then_some(*limit)
    })
}

fn bound_property(component: &str, name: &str, property: &mut Value) {
    if name == "metadata" && has_type(property, "object") {
        bound_metadata(property);
        return;
    }
    let Some(limit) = limit_of(component, name) else { return };
    let Some(text) = property.as_object_mut() else { return };
    let free = has_type_map(text, "string")
        && !text.contains_key("maxLength")
        && !text.contains_key("enum")
        && !text.contains_key("const")
        && !matches!(text.get("format").and_then(Value::as_str), Some("uuid" | "date-time" | "date"));
    if free {
        text.insert("maxLength".into(), json!(limit));
    }
}

fn bound_metadata(property: &mut Value) {
    let Some(object) = property.as_object_mut() else { return };
    object.entry("maxProperties").or_insert(json!(METADATA_MAX_KEYS));
    object.entry("propertyNames").or_insert(json!({"maxLength": METADATA_MAX_KEY_LENGTH}));
    let values = object.entry("additionalProperties").or_insert(json!({}));
    if let Some(values) = values.as_object_mut() {
        values.entry("maxLength").or_insert(json!(METADATA_MAX_STRING_LENGTH));
    }
}

fn has_type(schema: &Value, wanted: &str) -> bool {
    schema.as_object().is_some_and(|o| has_type_map(o, wanted))
}

fn has_type_map(schema: &Map<String, Value>, wanted: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(types)) => types.iter().any(|t| t == wanted),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_gets_a_bound_and_the_contracts_own_bounds_stay() {
        let mut doc = json!({"components": {"schemas": {"X": {"type": "object", "properties": {
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "description": {"type": ["string", "null"], "maxLength": 500},
            "id": {"type": "string"},
            "type": {"type": "string"},
            "variant": {"type": "string", "enum": ["a"]},
            "metadata": {"type": "object"},
            "nested": {"type": "object", "properties": {"name": {"type": "string"}}}
        }}}}});
        bound(&mut doc);
        let p = &doc["components"]["schemas"]["X"]["properties"];
        assert_eq!(p["name"]["maxLength"], 255);
        assert!(p["slug"].get("maxLength").is_none(), "not free text");
        assert_eq!(p["description"]["maxLength"], 500);
        assert!(p["id"].get("maxLength").is_none(), "a reference, not free text");
        assert!(p["type"].get("maxLength").is_none(), "bound only as DeploymentZone.type");
        assert!(p["variant"].get("maxLength").is_none(), "an enum is bounded already");
        assert_eq!(p["metadata"]["maxProperties"], 100);
        assert_eq!(p["metadata"]["propertyNames"]["maxLength"], 255);
        assert_eq!(p["metadata"]["additionalProperties"]["maxLength"], 10_000);
        assert_eq!(p["nested"]["properties"]["name"]["maxLength"], 255);
        let mut zone = json!({"components": {"schemas": {"DeploymentZone": {"type": "object", "properties": {
            "type": {"type": "string"}}}}}});
        bound(&mut zone);
        assert_eq!(zone["components"]["schemas"]["DeploymentZone"]["properties"]["type"]["maxLength"], 100);
    }
}
