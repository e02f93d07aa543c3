//! The evaluation context of one request: the targeting key, the caller's attributes and the
//! server-owned `__kaiten` facts. The caller can never write the facts.

use serde_json::{Map, Value};

/// The namespace the server owns.
pub const FACTS_ROOT: &str = "__kaiten";
/// A key the original also reserved and discarded.
const LEGACY_ROOT: &str = "__kaiten_dogfooding_internal";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluationContext {
    /// The subject; empty when the caller sent none (or a non-string one).
    pub targeting_key: String,
    /// Every other key the caller sent, each a variable of its own.
    pub attributes: Map<String, Value>,
    /// `__kaiten`, as filled by the server.
    pub facts: Map<String, Value>,
}

impl EvaluationContext {
    /// Splits an OFREP `context` object; whatever the caller put in the reserved namespaces is
    /// dropped. A non-string `targetingKey` counts as absent.
    pub fn from_request(mut context: Map<String, Value>) -> Self {
        let targeting_key = match context.remove("targetingKey") {
            Some(Value::String(key)) => key,
            _ => String::new(),
        };
        context.remove(FACTS_ROOT);
        context.remove(LEGACY_ROOT);
        Self { targeting_key, attributes: context, facts: Map::new() }
    }

    /// The `kaiten` object a caller names its instance with: `instanceSlug` first, then
    /// `instanceId`. Only ever used to choose what to look up.
    pub fn instance_reference(&self) -> Option<InstanceReference> {
        let kaiten = self.attributes.get("kaiten")?.as_object()?;
        if let Some(slug) = kaiten.get("instanceSlug").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            return Some(InstanceReference::Slug(slug.to_owned()));
        }
        kaiten.get("instanceId").and_then(Value::as_str).map(|id| InstanceReference::Id(id.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InstanceReference {
    Slug(String),
    Id(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reserved_namespaces_are_discarded_and_the_key_extracted() {
        let Value::Object(raw) = json!({
            "targetingKey": "acme", "plan": "pro",
            "__kaiten": {"license": {"slug": "forged"}}, "__kaiten_dogfooding_internal": true,
        }) else {
            unreachable!()
        };
        let ctx = EvaluationContext::from_request(raw);
        assert_eq!(ctx.targeting_key, "acme");
        assert_eq!(ctx.attributes.len(), 1);
        assert_eq!(ctx.attributes["plan"], "pro");
        assert!(ctx.facts.is_empty());
    }

    #[test]
    fn a_non_string_targeting_key_is_absent() {
        let Value::Object(raw) = json!({"targetingKey": 42}) else { unreachable!() };
        assert_eq!(EvaluationContext::from_request(raw).targeting_key, "");
    }

    #[test]
    fn the_instance_is_named_by_slug_first() {
        let Value::Object(raw) = json!({"kaiten": {"instanceId": "i", "instanceSlug": "s"}}) else { unreachable!() };
        let ctx = EvaluationContext::from_request(raw);
        assert_eq!(ctx.instance_reference(), Some(InstanceReference::Slug("s".into())));
        let Value::Object(raw) = json!({"kaiten": {"instanceId": "i"}}) else { unreachable!() };
        let ctx = EvaluationContext::from_request(raw);
        assert_eq!(ctx.instance_reference(), Some(InstanceReference::Id("i".into())));
        assert_eq!(EvaluationContext::default().instance_reference(), None);
    }
}
