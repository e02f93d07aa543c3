use async_graphql::{Object, SimpleObject};

use super::enums::{EntitlementResetAnchor, EntitlementResetPeriod, EntitlementType};
use super::page::page;
use crate::graphql::scalars::UuidScalar;
use crate::modules::entitlements::schema::Entitlement;

pub struct EntitlementView(pub Entitlement);

/// An entitlement definition: a usage right or quota, with its customer-facing presentation
/// metadata (icon, units, visibility, display order).
#[Object(name = "Entitlement")]
impl EntitlementView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    #[graphql(name = "type")]
    async fn entitlement_type(&self) -> Option<EntitlementType> {
        Some(self.0.r#type.into())
    }
    async fn icon(&self) -> Option<&str> {
        self.0.icon.as_deref()
    }
    async fn unit_singular(&self) -> Option<&str> {
        self.0.unit_singular.as_deref()
    }
    async fn unit_plural(&self) -> Option<&str> {
        self.0.unit_plural.as_deref()
    }
    async fn sale_unit_singular(&self) -> Option<&str> {
        self.0.sale_unit_singular.as_deref()
    }
    async fn sale_unit_plural(&self) -> Option<&str> {
        self.0.sale_unit_plural.as_deref()
    }
    async fn sale_unit_factor(&self) -> Option<f64> {
        self.0.sale_unit_factor
    }
    async fn user_facing(&self) -> Option<bool> {
        Some(self.0.user_facing)
    }
    async fn display_order(&self) -> Option<i32> {
        Some(self.0.display_order)
    }
    async fn warning_threshold_percent(&self) -> Option<i32> {
        Some(self.0.warning_threshold_percent)
    }
    async fn reset_period(&self) -> Option<EntitlementResetPeriod> {
        self.0.reset_period.map(Into::into)
    }
    async fn reset_anchor(&self) -> Option<EntitlementResetAnchor> {
        self.0.reset_anchor.map(Into::into)
    }
    /// Groups associated with this entitlement
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn entitlement_groups(&self) -> Option<Vec<EntitlementGroupSummary>> {
        let groups = self.0.entitlement_groups.as_ref()?;
        Some(
            groups
                .iter()
                .map(|g| EntitlementGroupSummary { id: UuidScalar(g.id), name: g.name.clone(), slug: g.slug.clone() })
                .collect(),
        )
    }
}

/// Lightweight reference to an entitlement group (category axis for presentation).
#[derive(SimpleObject)]
pub struct EntitlementGroupSummary {
    pub id: UuidScalar,
    pub name: String,
    pub slug: String,
}

page!(EntitlementPage, "EntitlementPage", EntitlementView, "A cursor-paginated page of entitlements.");
