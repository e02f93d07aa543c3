use async_graphql::Object;

use super::page::page;
use super::user::User;
use crate::graphql::scalars::{Time, UuidScalar};
use crate::modules::components::schema::Component;

pub struct ComponentView(pub Component);

/// Component represents a software component, optionally included in releases.
#[Object(name = "Component")]
impl ComponentView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn previous_component_id(&self) -> Option<UuidScalar> {
        self.0.previous_component_id.map(UuidScalar)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn version(&self) -> &str {
        &self.0.version
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn created_by(&self) -> User {
        (&self.0.created_by).into()
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
}

page!(ComponentPage, "ComponentPage", ComponentView, "A cursor-paginated page of components.");
