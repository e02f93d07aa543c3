//! Request bodies are validated against the very schemas the OpenAPI document publishes, as
//! Huma does: whatever the contract declares (types, nullability, lengths, patterns, enums,
//! bounds, unknown properties) is enforced, with one `errors[]` entry per problem.
//!
//! Only the subset of JSON Schema that the generator emits is interpreted; `readOnly`
//! properties are not required in a request (the contract reuses response schemas as bodies).

use std::collections::HashMap;

use kaiten_kernel::ErrorDetail;
use regex::Regex;
use serde_json::{Map, Value};

pub struct SchemaRegistry {
    schemas: Map<String, Value>,
    patterns: HashMap<String, Regex>,
}

impl SchemaRegistry {
    /// From a whole OpenAPI document (its `components.schemas`).
    pub fn from_openapi(doc: &Value) -> Self {
        let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut patterns = HashMap::new();
        collect_patterns(&Value::Object(schemas.clone()), &mut patterns);
        Self { schemas, patterns }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.schemas.contains_key(name)
    }

    /// Every way `value` fails the named schema, located under `body`.
    pub fn validate(&self, schema_name: &str, value: &Value) -> Vec<ErrorDetail> {
        let mut errors = Vec::new();
        match self.schemas.get(schema_name) {
            Some(schema) => self.check(schema, value, "body", &mut errors),
            None => errors.push(ErrorDetail::new("body", format!("no schema named {schema_name}"))),
        }
        errors.sort_by(|a, b| a.location.cmp(&b.location));
        errors
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => self.schemas.get(name).map_or(schema, |target| self.resolve(target)),
            None => schema,
        }
    }

    fn is_read_only(&self, schema: &Value) -> bool {
        let flag = |s: &Value| s.get("readOnly").and_then(Value::as_bool).unwrap_or(false);
        flag(schema) || flag(self.resolve(schema))
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<ErrorDetail>) {
        let schema = self.resolve(schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for member in all {
                self.check(member, value, at, errors);
            }
        }
        if let Some(alternatives) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
            self.check_alternatives(schema, alternatives, value, at, errors);
        }
        if let Some(types) = schema.get("type")
            && !type_matches(types, value)
        {
            errors.push(fail(at, format!("expected {}", describe(types)), value));
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            let list: Vec<String> =
                allowed.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect();
            errors.push(fail(at, format!("expected value to be one of \"{}\"", list.join(", ")), value));
        }
        if let Some(expected) = schema.get("const")
            && expected != value
        {
            errors.push(fail(at, format!("expected value to be {expected}"), value));
        }
        match value {
            Value::String(s) => self.check_string(schema, s, at, value, errors),
            Value::Number(_) => check_number(schema, value, at, errors),
            Value::Array(items) => self.check_array(schema, items, at, value, errors),
            Value::Object(object) => self.check_object(schema, object, at, errors),
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn check_alternatives(
        &self,
        schema: &Value,
        alternatives: &[Value],
        value: &Value,
        at: &str,
        errors: &mut Vec<ErrorDetail>,
    ) {
        let discriminator = schema.pointer("/discriminator/propertyName").and_then(Value::as_str);
        if let (Some(property), Some(tag)) = (discriminator, discriminator.and_then(|p| value.get(p))) {
            let chosen = alternatives.iter().find(|alt| {
                let prop = self.resolve(alt).pointer(&format!("/properties/{property}"));
                prop.is_some_and(|p| {
                    let p = self.resolve(p);
                    p.get("const") == Some(tag)
                        || p.get("enum").and_then(Value::as_array).is_some_and(|e| e.contains(tag))
                })
            });
            match chosen {
                Some(alt) => self.check(alt, value, at, errors),
                None => errors.push(fail(&format!("{at}.{property}"), "unknown discriminator value", tag)),
            }
            return;
        }
        let passing = alternatives
            .iter()
            .filter(|alt| {
                let mut scratch = Vec::new();
                self.check(alt, value, at, &mut scratch);
                scratch.is_empty()
            })
            .count();
        if passing == 0 {
            errors.push(fail(at, "expected value to match one of the allowed shapes", value));
        }
    }

    fn check_string(&self, schema: &Value, s: &str, at: &str, value: &Value, errors: &mut Vec<ErrorDetail>) {
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && len < min
        {
            errors.push(fail(at, format!("expected length >= {min}"), value));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && len > max
        {
            errors.push(fail(at, format!("expected length <= {max}"), value));
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
            && self.patterns.get(pattern).is_some_and(|re| !re.is_match(s))
        {
            errors.push(fail(at, format!("expected string to match pattern {pattern}"), value));
        }
        let format_ok = match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
            Some("uri") => s.split_once(':').is_some_and(|(scheme, _)| !scheme.is_empty()),
            _ => true,
        };
        if !format_ok {
            let format = schema.get("format").and_then(Value::as_str).unwrap_or_default();
            errors.push(fail(at, format!("expected string to be a valid {format}"), value));
        }
    }

    fn check_array(&self, schema: &Value, items: &[Value], at: &str, value: &Value, errors: &mut Vec<ErrorDetail>) {
        let len = items.len() as u64;
        if schema.get("minItems").and_then(Value::as_u64).is_some_and(|min| len < min) {
            errors.push(fail(at, "expected more items", value));
        }
        if schema.get("maxItems").and_then(Value::as_u64).is_some_and(|max| len > max) {
            errors.push(fail(at, "expected fewer items", value));
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.check(item_schema, item, &format!("{at}[{i}]"), errors);
            }
        }
    }

    fn check_object(&self, schema: &Value, object: &Map<String, Value>, at: &str, errors: &mut Vec<ErrorDetail>) {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
            && object.len() as u64 > max
        {
            errors.push(ErrorDetail::new(at, format!("expected at most {max} properties")));
        }
        if let Some(names) = schema.get("propertyNames") {
            for name in object.keys() {
                self.check(names, &Value::String(name.clone()), &format!("{at}.{name}"), errors);
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                let read_only = properties.and_then(|p| p.get(name)).is_some_and(|p| self.is_read_only(p));
                if !read_only && !object.contains_key(name) {
                    errors.push(ErrorDetail::new(at, format!("expected required property {name} to be present")));
                }
            }
        }
        for (name, item) in object {
            let location = format!("{at}.{name}");
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.check(property, item, &location, errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(fail(&location, "unexpected property", item)),
                    Some(extra @ Value::Object(_)) => self.check(extra, item, &location, errors),
                    _ => {}
                },
            }
        }
    }
}

fn check_number(schema: &Value, value: &Value, at: &str, errors: &mut Vec<ErrorDetail>) {
    let Some(n) = value.as_f64() else { return };
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    if bound("minimum").is_some_and(|min| n < min) {
        errors.push(fail(at, format!("expected number >= {}", bound("minimum").unwrap_or_default()), value));
    }
    if bound("maximum").is_some_and(|max| n > max) {
        errors.push(fail(at, format!("expected number <= {}", bound("maximum").unwrap_or_default()), value));
    }
    if bound("exclusiveMinimum").is_some_and(|min| n <= min) {
        errors.push(fail(at, "expected number above the exclusive minimum", value));
    }
    if bound("exclusiveMaximum").is_some_and(|max| n >= max) {
        errors.push(fail(at, "expected number below the exclusive maximum", value));
    }
    let fits = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => value.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        Some("int64") => value.as_i64().is_some(),
        _ => true,
    };
    if !fits {
        errors.push(fail(at, "expected an integer in range", value));
    }
}

fn type_matches(types: &Value, value: &Value) -> bool {
    let one = |t: &str| match t {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    };
    match types {
        Value::String(t) => one(t),
        Value::Array(list) => list.iter().filter_map(Value::as_str).any(one),
        _ => true,
    }
}

fn describe(types: &Value) -> String {
    match types {
        Value::String(t) => t.clone(),
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" or "),
        other => other.to_string(),
    }
}

fn fail(at: &str, message: impl Into<String>, value: &Value) -> ErrorDetail {
    ErrorDetail::new(at, message).with_value(value.clone())
}

fn collect_patterns(schema: &Value, out: &mut HashMap<String, Regex>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(pattern)) = map.get("pattern")
                && let Ok(re) = Regex::new(pattern)
            {
                out.insert(pattern.clone(), re);
            }
            map.values().for_each(|v| collect_patterns(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn registry() -> SchemaRegistry {
        SchemaRegistry::from_openapi(&json!({"components": {"schemas": {
            "User": {"type": "object", "additionalProperties": false, "required": ["id"],
                     "properties": {"id": {"type": "string"}}},
            "Thing": {"type": "object", "additionalProperties": false, "required": ["id", "name", "createdBy"],
                "properties": {
                    "id": {"type": "string", "readOnly": true},
                    "createdBy": {"$ref": "#/components/schemas/User", "readOnly": true},
                    "name": {"type": "string", "minLength": 1, "maxLength": 5},
                    "slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*[a-z0-9]$"},
                    "external": {"type": ["string", "null"]},
                    "kind": {"type": "string", "enum": ["A", "B"]},
                    "count": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 200},
                    "at": {"type": "string", "format": "date-time"},
                    "tags": {"type": ["array", "null"], "items": {"type": "string"}},
                    "meta": {"type": "object", "additionalProperties": {}},
                    "bounded": {"type": "object", "maxProperties": 2, "propertyNames": {"maxLength": 3},
                                "additionalProperties": {"maxLength": 4}}
                }}
        }}}))
    }

    fn locations(errors: &[ErrorDetail]) -> Vec<&str> {
        errors.iter().map(|e| e.location.as_str()).collect()
    }

    #[test]
    fn a_valid_body_passes_and_read_only_fields_are_not_required() {
        let errors = registry().validate(
            "Thing",
            &json!({"name": "ok", "slug": "a-b", "external": null,
            "kind": "A", "count": 3, "at": "2026-01-01T00:00:00Z", "tags": ["x"], "meta": {"any": [1]}}),
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn each_violation_is_reported_at_its_location() {
        let errors = registry().validate(
            "Thing",
            &json!({"name": "toolong", "slug": "-bad", "kind": "C",
            "count": 201, "at": "yesterday", "tags": [1], "unknown": true}),
        );
        assert_eq!(
            locations(&errors),
            vec!["body.at", "body.count", "body.kind", "body.name", "body.slug", "body.tags[0]", "body.unknown"]
        );
    }

    #[test]
    fn missing_required_wrong_types_and_null_where_not_nullable() {
        let errors = registry().validate("Thing", &json!({"slug": null, "count": 1.5}));
        assert_eq!(locations(&errors), vec!["body", "body.count", "body.slug"]);
        assert!(errors[0].message.contains("name"));
        assert_eq!(registry().validate("Thing", &json!([])).len(), 1);
    }

    #[test]
    fn objects_bound_their_keys_names_and_string_values() {
        let ok = registry().validate("Thing", &json!({"name": "ok", "bounded": {"a": "four", "b": [1, 2, 3, 4, 5]}}));
        assert!(ok.is_empty(), "{ok:?}");
        let errors =
            registry().validate("Thing", &json!({"name": "ok", "bounded": {"long": 1, "b": "fiver", "c": true}}));
        assert_eq!(locations(&errors), vec!["body.bounded", "body.bounded.b", "body.bounded.long"]);
    }
}
