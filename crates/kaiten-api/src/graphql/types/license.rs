use async_graphql::{Context, Object, SimpleObject};

use super::entitlement::EntitlementView;
use super::enums::{LicenseLifecycleState, LicenseType};
use super::instance::InstanceView;
use super::page::page;
use crate::graphql::context::{data, error, load_error};
use crate::graphql::scalars::{Map, UuidScalar};
use crate::modules::licenses::grants::schema::LicenseEntitlement;
use crate::modules::licenses::schema::License;

pub struct LicenseView(pub License);

/// License defines the commercial and functional rules for one or more instances.
#[Object(name = "License")]
impl LicenseView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    #[graphql(name = "type")]
    async fn license_type(&self) -> LicenseType {
        self.0.r#type.into()
    }
    async fn version(&self) -> &str {
        &self.0.version
    }
    async fn version_name(&self) -> Option<&str> {
        Some(self.0.version_name.as_str()).filter(|name| !name.is_empty())
    }
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    /// Whether this version may be served.
    async fn lifecycle_state(&self) -> LicenseLifecycleState {
        self.0.lifecycle_state.into()
    }
    /// The family this license is a version of. Two licenses sharing it are the same product,
    /// whatever their names say.
    async fn family(&self, ctx: &Context<'_>) -> async_graphql::Result<LicenseFamily> {
        let slug = match &self.0.family_slug {
            Some(slug) => slug.clone(),
            None => {
                data(ctx).loaders.family_slug.load_one(self.0.family_id).await.map_err(load_error)?.unwrap_or_default()
            }
        };
        Ok(LicenseFamily { id: UuidScalar(self.0.family_id), slug, is_public: false })
    }
    /// Instances using this license
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn instances(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<InstanceView>> {
        let found = data(ctx).loaders.instances_of_license.load_one(self.0.id).await.map_err(load_error)?;
        Ok(found.unwrap_or_default().into_iter().map(InstanceView).collect())
    }
    /// Entitlements granted by this license
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn entitlements(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GrantView>> {
        let found = data(ctx).loaders.grants.load_one(self.0.id).await.map_err(load_error)?;
        Ok(found.unwrap_or_default().into_iter().map(GrantView).collect())
    }
}

/// LicenseFamily is the product a license is a version of. It carries identity and nothing
/// else.
#[derive(SimpleObject)]
pub struct LicenseFamily {
    pub id: UuidScalar,
    pub slug: String,
    /// Whether the family's default PUBLISHED version is in the public catalogue.
    pub is_public: bool,
}

pub struct GrantView(pub LicenseEntitlement);

/// An entitlement granted by a license, with its contractual value and the full entitlement
/// definition (presentation metadata included).
#[Object(name = "LicenseEntitlement")]
impl GrantView {
    async fn entitlement_slug(&self) -> &str {
        &self.0.entitlement_slug
    }
    async fn entitlement_name(&self) -> &str {
        &self.0.entitlement_name
    }
    async fn entitlement_type(&self) -> &str {
        self.0.entitlement_type.as_str()
    }
    async fn license_id(&self) -> UuidScalar {
        UuidScalar(self.0.license_id)
    }
    async fn license_slug(&self) -> &str {
        &self.0.license_slug
    }
    /// Typed entitlement value. Shapes: {type:"number",value:N}, {type:"boolean",value:B},
    /// {type:"object",value:{...}}
    async fn value(&self) -> Map {
        Map::of(&self.0.value)
    }
    /// True when this grant carries the unlimited sentinel (no cap enforced).
    async fn unlimited(&self) -> bool {
        self.0.value.is_unlimited()
    }
    /// -1 when the value is unlimited; otherwise 0 rejects usage above the value and a
    /// positive percentage allows that much overage. Null for non-numeric grants.
    async fn limit_cap_exceeded_overage_percent(&self) -> Option<i32> {
        self.0.limit_cap_exceeded_overage_percent
    }
    /// Full entitlement definition (icon, units, userFacing, displayOrder, groups).
    async fn entitlement(&self, ctx: &Context<'_>) -> async_graphql::Result<EntitlementView> {
        let found =
            data(ctx).loaders.entitlement.load_one(self.0.entitlement_slug.clone()).await.map_err(load_error)?;
        found.map(EntitlementView).ok_or_else(|| {
            error(&kaiten_kernel::Error::internal(format!(
                "the entitlement {} of a grant did not resolve",
                self.0.entitlement_slug
            )))
        })
    }
}

page!(LicensePage, "LicensePage", LicenseView, "A cursor-paginated page of licenses.");
