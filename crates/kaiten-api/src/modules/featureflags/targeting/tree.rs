//! The tree of what a rule can read, for editors: `__kaiten` with its sub-roots (described
//! as the original describes them) and `targetingKey`. Entitlement slugs are the
//! organization's, as completion hints.

use super::schema::{NodeType, TargetingContextNode as Node};

fn leaf(name: &'static str, r#type: NodeType, description: &'static str) -> Node {
    Node { values: None, name, r#type, description, fields: Vec::new(), known_keys: Vec::new(), optional: false }
}

fn optional(name: &'static str, r#type: NodeType, description: &'static str) -> Node {
    Node { optional: true, ..leaf(name, r#type, description) }
}

fn object(name: &'static str, description: &'static str, fields: Vec<Node>) -> Node {
    Node { fields, ..leaf(name, NodeType::Object, description) }
}

fn metadata(description: &'static str) -> Node {
    Node { values: Some(Box::new(leaf("", NodeType::Dyn, ""))), ..leaf("metadata", NodeType::Map, description) }
}

pub fn roots(entitlement_slugs: Vec<String>) -> Vec<Node> {
    use NodeType::{Boolean, Number, String};
    let license = object(
        "license",
        "The license the organization holds.",
        vec![
            leaf(
                "slug",
                String,
                "Slug of the license version the organization holds, e.g. 'scale-v2'. Each version has its own, so a rule on it matches that version only; target the product with familySlug",
            ),
            leaf(
                "familySlug",
                String,
                "Slug of the product the license is a version of, e.g. 'scale'. The same for every version, including ones published later",
            ),
            leaf("type", String, "Whether the license is paid or not, e.g. 'PAID'"),
        ],
    );
    let entitlement = object(
        "",
        "",
        vec![
            leaf(
                "limit",
                Number,
                "Ceiling granted for this entitlement. An entitlement with no ceiling reports a very large number rather than zero, so '< 5' means what it reads",
            ),
            leaf("used", Number, "How much of the entitlement is currently consumed"),
            leaf("remaining", Number, "Ceiling minus usage. Unlimited entitlements report a very large number"),
            leaf("percentage", Number, "Share of the ceiling consumed, between 0 and 1"),
            leaf(
                "unlimited",
                Boolean,
                "True when the entitlement has no ceiling — clearer than comparing against the sentinel limit",
            ),
        ],
    );
    let entitlements = Node {
        values: Some(Box::new(entitlement)),
        known_keys: entitlement_slugs,
        ..leaf(
            "entitlements",
            NodeType::Map,
            "Entitlement usage, keyed by slug. Readable as entitlements['seats'] or entitlements.seats.",
        )
    };
    let instance = object(
        "instance",
        "The instance being evaluated.",
        vec![
            leaf("id", String, "Identifier of the instance being evaluated"),
            leaf("slug", String, "URL-friendly identifier of the instance"),
            leaf("name", String, "Display name of the instance"),
            leaf("status", String, "Operational status of the instance, e.g. 'HEALTHY'"),
            optional("lifecycleStage", String, "Lifecycle stage of the instance, when one is set"),
            metadata(
                "Free-form metadata the organization sets on the instance. Any key is allowed, so nothing below this point is checked",
            ),
        ],
    );
    let customer = object(
        "customer",
        "The customer the instance belongs to.",
        vec![
            leaf("id", String, "Identifier of the customer the instance belongs to"),
            leaf("name", String, "Display name of the customer"),
            leaf("slug", String, "URL-friendly identifier of the customer"),
            optional(
                "externalCustomerId",
                String,
                "Identifier the customer carries in your own systems, when one is set",
            ),
            optional("domain", String, "Email domain of the customer, when one is set, e.g. 'acme.com'"),
        ],
    );
    let zone = object(
        "deploymentZone",
        "The deployment zone the instance runs in.",
        vec![
            leaf("id", String, "Identifier of the deployment zone the instance runs in"),
            leaf("name", String, "Display name of the deployment zone"),
            leaf("slug", String, "URL-friendly identifier of the deployment zone"),
            leaf(
                "type",
                String,
                "Environment class of the zone. Free-form, but 'production', 'staging' and 'development' are the ones the console labels",
            ),
            metadata(
                "Free-form metadata set on the deployment zone. Any key is allowed, so nothing below this point is checked",
            ),
            optional(
                "currentReleaseId",
                String,
                "Identifier of the release currently deployed to the zone, when one is set",
            ),
        ],
    );
    vec![
        object(
            kaiten_flags::context::FACTS_ROOT,
            "Facts the server computes for every evaluation. Reserved: nothing a caller sends can set it.",
            vec![license, entitlements, instance, customer, zone],
        ),
        leaf("targetingKey", String, "The key this evaluation is bucketed on. Always present."),
    ]
}
