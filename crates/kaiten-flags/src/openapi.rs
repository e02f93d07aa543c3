//! The OpenAPI schemas of the polymorphic wire types, written as the contract spells them
//! (named alternatives, a discriminated `DefaultVariant`, a nullable `Targetings` array):
//! derived schemas of serde's internally tagged enums would not have those names.

use std::borrow::Cow;

use serde_json::{Value, json};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::definition::{Choice, RolloutStep};

fn schema(value: Value) -> RefOr<Schema> {
    serde_json::from_value(value).unwrap_or_else(|_| RefOr::T(Schema::default()))
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn distribution() -> Value {
    json!({"type": "object", "additionalProperties": {"type": "integer", "format": "int64"},
           "examples": [{"variant_a": 70, "variant_b": 30}]})
}

fn rule() -> Value {
    json!({"type": "string", "maxLength": 10000, "description": "CEL expression for basicTargeting evaluation",
           "examples": ["user.group == 'beta'"]})
}

fn tag(value: &str) -> Value {
    json!({"type": "string", "enum": [value]})
}

fn object(properties: Value, required: &[&str]) -> RefOr<Schema> {
    schema(json!({"type": "object", "additionalProperties": false, "properties": properties, "required": required}))
}

impl PartialSchema for Choice {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "oneOf": [reference("Basic"), reference("RolloutDate"), reference("RolloutPercentage")],
            "discriminator": {"propertyName": "type", "mapping": {
                "basic": "#/components/schemas/Basic",
                "rollout_date": "#/components/schemas/RolloutDate",
                "rollout_percentage": "#/components/schemas/RolloutPercentage",
            }},
        }))
    }
}

impl ToSchema for Choice {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("DefaultVariant")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        let step = reference("RolloutStep");
        schemas.push((RolloutStep::name().into_owned(), RolloutStep::schema()));
        schemas.push((
            "Basic".into(),
            object(json!({"type": tag("basic"), "value": {"type": "string"}}), &["type", "value"]),
        ));
        schemas.push((
            "RolloutDate".into(),
            object(json!({"type": tag("rollout_date"), "start": step, "end": step}), &["type", "start", "end"]),
        ));
        schemas.push((
            "RolloutPercentage".into(),
            object(
                json!({"type": tag("rollout_percentage"), "distribution": distribution()}),
                &["type", "distribution"],
            ),
        ));
    }
}

/// The documented type of a flag's `targetings`: a nullable list of the three kinds.
pub struct Targetings;

impl PartialSchema for Targetings {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": ["array", "null"],
            "description": "Polymorphic list of targeting rules (Basic, RolloutDate, RolloutPercentage)",
            "items": {"anyOf": [
                reference("BasicTargeting"), reference("RolloutDateTargeting"), reference("RolloutPercentageTargeting")
            ]},
        }))
    }
}

impl ToSchema for Targetings {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Targetings")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        let step = reference("RolloutStep");
        let name = |example: &str| json!({"type": "string", "examples": [example]});
        schemas.push((RolloutStep::name().into_owned(), RolloutStep::schema()));
        schemas.push((
            "BasicTargeting".into(),
            object(
                json!({"type": tag("basic"), "name": name("Targeting Rule 1"), "variant": {"type": "string"}, "rule": rule()}),
                &["type", "name", "variant", "rule"],
            ),
        ));
        schemas.push((
            "RolloutDateTargeting".into(),
            object(
                json!({"type": tag("rollout_date"), "name": name("Targeting Rule 1"), "rule": rule(), "start": step, "end": step}),
                &["type", "name", "rule", "start", "end"],
            ),
        ));
        schemas.push((
            "RolloutPercentageTargeting".into(),
            object(
                json!({"type": tag("rollout_percentage"), "name": name("Targeting Rule 1234"), "rule": rule(),
                       "distribution": distribution()}),
                &["type", "name", "rule", "distribution"],
            ),
        ));
    }
}
