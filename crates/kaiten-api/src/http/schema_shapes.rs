//! Straightens four shapes the schema generator emits that do not say what the contract says:
//! an array's `readOnly`/`writeOnly` lands on its `items` instead of the property; an
//! annotated enum or reference becomes `allOf: [X, {type: object, description}]`, which would
//! make a string fail validation as "not an object"; an optional request body becomes
//! "X or null", where optional means the body may be absent, not that it may be `null`; and a
//! `#[serde(flatten)]` of a closed schema becomes `allOf: [Closed, {extra properties}]`, which
//! no object satisfies (the closed member refuses the extra properties).

use serde_json::{Map, Value};

/// Rewrites every component schema in an OpenAPI document (as JSON) in place.
pub fn straighten(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for schema in schemas.values_mut() {
            walk(schema);
        }
        merge_flattened(schemas);
    }
    if let Some(paths) = doc.pointer_mut("/paths").and_then(Value::as_object_mut) {
        paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
            .for_each(unwrap_optional_body);
    }
}

/// An optional body's `oneOf: [{type: null}, X]` → X.
fn unwrap_optional_body(operation: &mut Value) {
    let Some(body) = operation.get_mut("requestBody").and_then(Value::as_object_mut) else { return };
    if body.get("required") == Some(&Value::Bool(true)) {
        return;
    }
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else { return };
    for media in content.values_mut() {
        let Some(schema) = media.get_mut("schema") else { continue };
        let Some(Value::Array(members)) = schema.get("oneOf") else { continue };
        let mut rest = members.iter().filter(|m| m.get("type") != Some(&Value::String("null".into())));
        if let (Some(only), None, 2) = (rest.next(), rest.next(), members.len()) {
            *schema = only.clone();
        }
    }
}

fn walk(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else { return };
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            walk(property);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = object.get_mut(key) {
            walk(inner);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(members) = object.get_mut(key).and_then(Value::as_array_mut) {
            members.iter_mut().for_each(walk);
        }
    }
    lift_access_flags(object);
    merge_annotation_member(object);
}

fn lift_access_flags(object: &mut Map<String, Value>) {
    let Some(items) = object.get_mut("items").and_then(Value::as_object_mut) else { return };
    let lifted: Vec<(String, Value)> = ["readOnly", "writeOnly"]
        .iter()
        .filter_map(|flag| items.remove(*flag).map(|v| ((*flag).to_owned(), v)))
        .collect();
    object.extend(lifted);
}

/// `allOf: [X, {type: "object", <annotations only>}]` → X with the annotations beside it.
fn merge_annotation_member(object: &mut Map<String, Value>) {
    let Some(Value::Array(members)) = object.get("allOf") else { return };
    let [first, second] = members.as_slice() else { return };
    let Some(annotations) = second.as_object() else { return };
    let annotation_only = annotations.get("type").is_none_or(|t| t == "object")
        && !annotations.contains_key("properties")
        && !annotations.contains_key("$ref");
    if !annotation_only {
        return;
    }
    let (first, annotations) = (first.clone(), annotations.clone());
    object.remove("allOf");
    if let Value::Object(base) = first {
        for (key, value) in base {
            object.entry(key).or_insert(value);
        }
    }
    for (key, value) in annotations {
        if key != "type" {
            object.insert(key, value);
        }
    }
}

/// A component `allOf: [{$ref: Base}, {type: object, properties}]` → one object schema with
/// Base's properties and the extension's, Base's `additionalProperties` and both `required`.
fn merge_flattened(schemas: &mut Map<String, Value>) {
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        let Some(Value::Array(members)) = schemas[&name].get("allOf") else { continue };
        let [base, extension] = members.as_slice() else { continue };
        let Some(base_name) =
            base.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
        else {
            continue;
        };
        let (Some(Value::Object(base)), Some(extension)) = (schemas.get(base_name), extension.as_object()) else {
            continue;
        };
        let Some(extra) = extension.get("properties").and_then(Value::as_object) else { continue };
        let mut merged = base.clone();
        let properties = merged.entry("properties").or_insert_with(|| Value::Object(Map::new()));
        if let Some(properties) = properties.as_object_mut() {
            properties.extend(extra.clone());
        }
        if let Some(Value::Array(more)) = extension.get("required") {
            let required = merged.entry("required").or_insert_with(|| Value::Array(Vec::new()));
            if let Some(required) = required.as_array_mut() {
                required.extend(more.iter().filter(|r| !required.contains(r)).cloned().collect::<Vec<_>>());
            }
        }
        let Some(Value::Object(outer)) = schemas.get_mut(&name) else { continue };
        outer.remove("allOf");
        for (key, value) in merged {
            outer.entry(key).or_insert(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lifts_flags_and_merges_annotation_members() {
        let mut doc = json!({"components": {"schemas": {"X": {"type": "object", "properties": {
            "groups": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/G", "readOnly": true}},
            "kind": {"allOf": [{"type": "string", "enum": ["A"]}, {"type": "object", "description": "Kind"}]},
            "pair": {"allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}
        }}}}});
        straighten(&mut doc);
        let p = &doc["components"]["schemas"]["X"]["properties"];
        assert_eq!(p["groups"]["readOnly"], true);
        assert!(p["groups"]["items"].get("readOnly").is_none());
        assert_eq!(p["kind"], json!({"type": "string", "enum": ["A"], "description": "Kind"}));
        assert!(p["pair"].get("allOf").is_some(), "a real composition is left alone");
    }

    #[test]
    fn a_flattened_closed_schema_becomes_one_object() {
        let mut doc = json!({"components": {"schemas": {
            "Token": {"type": "object", "description": "T", "additionalProperties": false, "required": ["name"],
                      "properties": {"name": {"type": "string"}}},
            "Plain": {"description": "P", "allOf": [{"$ref": "#/components/schemas/Token"},
                      {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}]}
        }}});
        straighten(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["Plain"],
            json!({"description": "P", "type": "object", "additionalProperties": false, "required": ["name", "token"],
                   "properties": {"name": {"type": "string"}, "token": {"type": "string"}}})
        );
    }
}
