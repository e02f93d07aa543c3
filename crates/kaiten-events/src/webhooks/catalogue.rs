//! The events an endpoint can subscribe to: the 55 of the contract's `webhooks:` section, and
//! the one this server adds about endpoints themselves.

use kaiten_kernel::event::EventKind;

/// Announced when an endpoint that failed without a break for too long is disabled.
pub const ENDPOINT_DISABLED: EventKind =
    EventKind::new("WEBHOOK_ENDPOINT_DISABLED", "com.kaiten.webhook_endpoint.v1.disabled");

/// `(name, CloudEvents type)`, in contract order.
pub const CONTRACT: [(&str, &str); 55] = [
    ("COMPONENT_CREATED", "com.kaiten.component.v1.created"),
    ("COMPONENT_DELETED", "com.kaiten.component.v1.deleted"),
    ("COMPONENT_UPDATED", "com.kaiten.component.v1.updated"),
    ("CUSTOMER_CREATED", "com.kaiten.customer.v1.created"),
    ("CUSTOMER_CREATION_REJECTED", "com.kaiten.customer.v1.creation_rejected"),
    ("CUSTOMER_DELETED", "com.kaiten.customer.v1.deleted"),
    ("CUSTOMER_UPDATED", "com.kaiten.customer.v1.updated"),
    ("DEPLOYMENT_ZONE_CREATED", "com.kaiten.deployment_zone.v1.created"),
    ("DEPLOYMENT_ZONE_DELETED", "com.kaiten.deployment_zone.v1.deleted"),
    ("RELEASE_DEPLOYED", "com.kaiten.deployment_zone.v1.release_deployed"),
    ("DEPLOYMENT_ZONE_UPDATED", "com.kaiten.deployment_zone.v1.updated"),
    ("ENTITLEMENT_CREATED", "com.kaiten.entitlement.v1.created"),
    ("ENTITLEMENT_DELETED", "com.kaiten.entitlement.v1.deleted"),
    ("ENTITLEMENT_UPDATED", "com.kaiten.entitlement.v1.updated"),
    ("ENTITLEMENT_GROUP_CREATED", "com.kaiten.entitlement_group.v1.created"),
    ("ENTITLEMENT_GROUP_DELETED", "com.kaiten.entitlement_group.v1.deleted"),
    ("ENTITLEMENT_GROUP_UPDATED", "com.kaiten.entitlement_group.v1.updated"),
    ("FEATURE_FLAG_CREATED", "com.kaiten.feature_flag.v1.created"),
    ("FEATURE_FLAG_DELETED", "com.kaiten.feature_flag.v1.deleted"),
    ("FEATURE_FLAG_EVALUATED", "com.kaiten.feature_flag.v1.evaluated"),
    ("FEATURE_FLAG_UPDATED", "com.kaiten.feature_flag.v1.updated"),
    ("SYSTEM_ORGANIZATION_TOKEN_ISSUED", "com.kaiten.identity.v1.system_token_issued"),
    ("INSTANCE_ENTITLEMENT_CAP_EXCEEDED", "com.kaiten.instance.entitlement.v1.cap_exceeded"),
    ("INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER", "com.kaiten.instance.entitlement.v1.usage_period_rolled_over"),
    ("INSTANCE_ENTITLEMENT_USAGE_REACHED", "com.kaiten.instance.entitlement.v1.usage_reached"),
    ("ENTITLEMENT_USAGE_REPORT_ACCEPTED", "com.kaiten.instance.entitlement.v1.usage_report_accepted"),
    ("ENTITLEMENT_USAGE_REPORT_REJECTED", "com.kaiten.instance.entitlement.v1.usage_report_rejected"),
    (
        "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED",
        "com.kaiten.instance.entitlement.v1.usage_warning_threshold_reached",
    ),
    ("ENTITLEMENT_VALUE_GET", "com.kaiten.instance.entitlement.v1.value_get"),
    ("INSTANCE_CREATED", "com.kaiten.instance.v1.created"),
    ("INSTANCE_DELETED", "com.kaiten.instance.v1.deleted"),
    ("INSTANCE_DEPLOYED", "com.kaiten.instance.v1.deployed"),
    ("INSTANCE_LIFECYCLE_STAGE_CHANGED", "com.kaiten.instance.v1.lifecycle_stage_changed"),
    ("INSTANCE_MIGRATED", "com.kaiten.instance.v1.migrated"),
    ("INSTANCE_STATUS_CHANGED", "com.kaiten.instance.v1.status_changed"),
    ("INSTANCE_UPDATED", "com.kaiten.instance.v1.updated"),
    ("LICENSE_ENTITLEMENT_ASSIGNED", "com.kaiten.license.entitlement.v1.assigned"),
    ("LICENSE_ENTITLEMENT_UNASSIGNED", "com.kaiten.license.entitlement.v1.unassigned"),
    ("LICENSE_ENTITLEMENT_UPDATED", "com.kaiten.license.entitlement.v1.updated"),
    ("LICENSE_ARCHIVED", "com.kaiten.license.v1.archived"),
    ("LICENSE_CREATED", "com.kaiten.license.v1.created"),
    ("LICENSE_DELETED", "com.kaiten.license.v1.deleted"),
    ("LICENSE_PUBLISHED", "com.kaiten.license.v1.published"),
    ("LICENSE_UNARCHIVED", "com.kaiten.license.v1.unarchived"),
    ("LICENSE_UPDATED", "com.kaiten.license.v1.updated"),
    ("LICENSE_FAMILY_CREATED", "com.kaiten.license_family.v1.created"),
    ("LICENSE_FAMILY_DELETED", "com.kaiten.license_family.v1.deleted"),
    ("LICENSE_FAMILY_UPDATED", "com.kaiten.license_family.v1.updated"),
    ("METADATA_FIELD_ARCHIVED", "com.kaiten.metadata_field.v1.archived"),
    ("METADATA_FIELD_CREATED", "com.kaiten.metadata_field.v1.created"),
    ("METADATA_FIELD_REORDERED", "com.kaiten.metadata_field.v1.reordered"),
    ("METADATA_FIELD_UNARCHIVED", "com.kaiten.metadata_field.v1.unarchived"),
    ("METADATA_FIELD_UPDATED", "com.kaiten.metadata_field.v1.updated"),
    ("RELEASE_CREATED", "com.kaiten.release.v1.created"),
    ("RELEASE_DELETED", "com.kaiten.release.v1.deleted"),
];

/// The CloudEvents type an endpoint filter names, given either form (`CUSTOMER_CREATED` or
/// `com.kaiten.customer.v1.created`); `None` for an event that does not exist.
pub fn event_type(name_or_type: &str) -> Option<&'static str> {
    if name_or_type == ENDPOINT_DISABLED.name || name_or_type == ENDPOINT_DISABLED.event_type {
        return Some(ENDPOINT_DISABLED.event_type);
    }
    CONTRACT.iter().find(|(name, ty)| *name == name_or_type || *ty == name_or_type).map(|(_, ty)| *ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types_resolve_to_the_type_and_unknown_ones_do_not() {
        assert_eq!(event_type("CUSTOMER_CREATED"), Some("com.kaiten.customer.v1.created"));
        assert_eq!(event_type("com.kaiten.release.v1.deleted"), Some("com.kaiten.release.v1.deleted"));
        assert_eq!(event_type("WEBHOOK_ENDPOINT_DISABLED"), Some(ENDPOINT_DISABLED.event_type));
        assert_eq!(event_type("customer_created"), None);
        assert_eq!(event_type(""), None);
    }

    #[test]
    fn the_catalogue_is_the_contracts_webhooks_section() {
        let contract = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/contract/core-openapi.yaml");
        let Ok(text) = std::fs::read_to_string(contract) else {
            eprintln!("skipped: {contract} is not beside this checkout");
            return;
        };
        // The `webhooks:` keys are the only lines indented by two spaces that start with the prefix.
        let in_contract: std::collections::BTreeSet<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("  com.kaiten.").map(|_| line.trim().trim_end_matches(':')))
            .collect();
        let ours: std::collections::BTreeSet<&str> = CONTRACT.iter().map(|(_, ty)| *ty).collect();
        assert_eq!(ours, in_contract);
    }
}
