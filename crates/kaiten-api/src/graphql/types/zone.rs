use async_graphql::Object;

use super::page::page;
use super::user::User;
use crate::graphql::scalars::{Map, Time, UuidScalar};
use crate::modules::deployment_zones::schema::DeploymentZone;

pub struct ZoneView(pub DeploymentZone);

/// One place a customer of this Kaiten runs a release.
#[Object(name = "DeploymentZone")]
impl ZoneView {
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
    /// Environment class of the zone -- production, staging or development are the values the
    /// console labels, but the field is free-form.
    #[graphql(name = "type")]
    async fn zone_type(&self) -> &str {
        &self.0.zone_type
    }
    async fn metadata(&self) -> Option<Map> {
        Some(Map(self.0.metadata.clone()))
    }
    async fn release_id(&self) -> Option<UuidScalar> {
        self.0.release_id.map(UuidScalar)
    }
    async fn created_by(&self) -> User {
        (&self.0.created_by).into()
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    async fn updated_by(&self) -> User {
        (&self.0.updated_by).into()
    }
    async fn updated_at(&self) -> Time {
        Time(self.0.updated_at)
    }
}

page!(DeploymentZonePage, "DeploymentZonePage", ZoneView, "A cursor-paginated page of deployment zones.");
