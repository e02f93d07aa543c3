//! The `__kaiten` facts: what the customer bought and uses, and where the instance runs. Built
//! here from plain inputs so the shapes (and the unlimited/non-numeric rules) are pure and
//! tested; the HTTP crate loads the inputs.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseFact {
    pub slug: String,
    pub family_slug: String,
    #[serde(rename = "type")]
    pub license_type: String,
}

/// What a license grants of one entitlement and what is used of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntitlementFact {
    pub limit: f64,
    pub used: f64,
    pub remaining: f64,
    pub percentage: f64,
    pub unlimited: bool,
}

impl EntitlementFact {
    /// `limit` is the grant's number (`None` for a non-numeric grant), -1 meaning unlimited;
    /// `used` the counter of the current window.
    pub fn of(limit: Option<f64>, used: f64) -> Self {
        match limit {
            // Unlimited reads as a very large ceiling, so `remaining > 0` means what it says.
            Some(-1.0) => Self { limit: f64::MAX, used, remaining: f64::MAX, percentage: 0.0, unlimited: true },
            Some(limit) => Self {
                limit,
                used,
                remaining: (limit - used).max(0.0),
                percentage: if limit > 0.0 { used / limit } else { 0.0 },
                unlimited: false,
            },
            None => Self { limit: 0.0, used: 0.0, remaining: 0.0, percentage: 0.0, unlimited: false },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceFact {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle_stage: Option<String>,
    pub metadata: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerFact {
    pub id: String,
    pub name: String,
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_customer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentZoneFact {
    pub id: String,
    pub name: String,
    pub slug: String,
    #[serde(rename = "type")]
    pub zone_type: String,
    pub metadata: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_release_id: Option<String>,
}

/// The license side of the facts: present only when the targeting key named a customer
/// with an instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerFacts {
    pub license: Option<LicenseFact>,
    pub entitlements: Vec<(String, EntitlementFact)>,
}

/// The instance side: present only when the caller named an instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceFacts {
    pub instance: Option<InstanceFact>,
    pub customer: Option<CustomerFact>,
    pub deployment_zone: Option<DeploymentZoneFact>,
}

/// The `__kaiten` map. Sub-roots nothing resolved are absent, not empty, so a rule reading
/// one fails (and is reported broken) rather than silently comparing with zero.
pub fn namespace(customer: &CustomerFacts, instance: &InstanceFacts) -> Map<String, Value> {
    let mut facts = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            facts.insert(key.to_owned(), value);
        }
    };
    put("license", customer.license.as_ref().map(to_json));
    if customer.license.is_some() {
        let entitlements = customer.entitlements.iter().map(|(slug, fact)| (slug.clone(), to_json(fact))).collect();
        put("entitlements", Some(Value::Object(entitlements)));
    }
    put("instance", instance.instance.as_ref().map(to_json));
    put("customer", instance.customer.as_ref().map(to_json));
    put("deploymentZone", instance.deployment_zone.as_ref().map(to_json));
    facts
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_reads_as_the_largest_ceiling() {
        let fact = EntitlementFact::of(Some(-1.0), 7.0);
        assert!(fact.unlimited);
        assert_eq!(fact.limit, f64::MAX);
        assert_eq!(fact.remaining, f64::MAX);
        assert_eq!(fact.percentage, 0.0);
        assert_eq!(fact.used, 7.0);
    }

    #[test]
    fn numeric_grants_give_remaining_and_share() {
        let fact = EntitlementFact::of(Some(10.0), 4.0);
        assert_eq!((fact.limit, fact.used, fact.remaining, fact.percentage), (10.0, 4.0, 6.0, 0.4));
        assert!(!fact.unlimited);
        let over = EntitlementFact::of(Some(10.0), 12.0);
        assert_eq!(over.remaining, 0.0, "never negative");
        assert_eq!(EntitlementFact::of(Some(0.0), 3.0).percentage, 0.0, "no share of a zero ceiling");
    }

    #[test]
    fn non_numeric_grants_are_all_zero() {
        let fact = EntitlementFact::of(None, 5.0);
        assert_eq!((fact.limit, fact.used, fact.remaining, fact.percentage), (0.0, 0.0, 0.0, 0.0));
        assert!(!fact.unlimited);
    }

    #[test]
    fn unresolved_sub_roots_are_absent() {
        assert!(namespace(&CustomerFacts::default(), &InstanceFacts::default()).is_empty());
        let customer = CustomerFacts {
            license: Some(LicenseFact {
                slug: "growth-v2".into(),
                family_slug: "growth".into(),
                license_type: "PAID".into(),
            }),
            entitlements: vec![("seats".into(), EntitlementFact::of(Some(5.0), 1.0))],
        };
        let facts = namespace(&customer, &InstanceFacts::default());
        assert_eq!(facts["license"]["familySlug"], "growth");
        assert_eq!(facts["entitlements"]["seats"]["remaining"], 4.0);
        assert!(!facts.contains_key("instance"));
    }
}
