use async_graphql::{Context, Object};

use super::license::LicenseView;
use crate::graphql::context::{data, error};
use crate::graphql::scalars::UuidScalar;
use crate::modules::licenses::repository::versions_of;
use crate::modules::licenses::schema::{License, LicenseFamilyView};

/// A family resolved as the REST API resolves it (`family::views`); its versions are read only
/// when selected.
pub struct FamilyView(pub LicenseFamilyView);

/// LicenseFamilyView is a family together with the version it currently resolves to -- the
/// answer to "the current version of this product", which addressing a version slug cannot give.
///
/// Distinct from LicenseFamily, which License.family returns: that one is identity alone, this one
/// is a resolved view of the product.
#[Object(name = "LicenseFamilyView")]
impl FamilyView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Whether the family's default PUBLISHED version is in the public catalogue. Always false:
    /// this server has no public catalogue.
    async fn is_public(&self) -> bool {
        false
    }
    /// The version this family currently serves: its default version, or its highest-numbered
    /// PUBLISHED version. Null when every version is a draft or has been archived.
    async fn current_version(&self) -> Option<LicenseView> {
        self.0.current_version.clone().map(|license| self.version(license))
    }
    /// Number of versions in this family, whatever their lifecycle state.
    async fn version_count(&self) -> i32 {
        self.0.version_count
    }
    /// Every version of the family, oldest first.
    async fn versions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LicenseView>> {
        let scope = &data(ctx).scope;
        let mut conn = scope.pool.acquire().await.map_err(|e| error(&e.into()))?;
        let versions = versions_of(&mut conn, scope.organization_id, self.0.id).await.map_err(|e| error(&e))?;
        Ok(versions.into_iter().map(|license| self.version(license)).collect())
    }
}

impl FamilyView {
    /// A version of this family, its `family.slug` known (a license read alone does not carry it).
    fn version(&self, mut license: License) -> LicenseView {
        license.family_slug = Some(self.0.slug.clone());
        LicenseView(license)
    }
}
