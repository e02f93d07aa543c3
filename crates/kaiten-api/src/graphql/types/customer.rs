use async_graphql::{Context, Object};

use super::instance::InstanceView;
use super::page::page;
use super::user::User;
use crate::graphql::context::{data, load_error};
use crate::graphql::scalars::{Map, Time, UuidScalar};
use crate::modules::customers::schema::Customer;

pub struct CustomerView(pub Customer);

/// Customer represents a client organization of a organization.
#[Object(name = "Customer")]
impl CustomerView {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn external_customer_id(&self) -> Option<&str> {
        self.0.external_customer_id.as_deref()
    }
    /// Where the customer's invoices are sent. Personal data.
    async fn billing_email(&self) -> Option<&str> {
        None
    }
    async fn domain(&self) -> Option<&str> {
        self.0.domain.as_deref()
    }
    async fn integrations(&self) -> Map {
        Map::of(&self.0.integrations)
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
    /// Instances associated with this customer
    #[graphql(complexity = "crate::graphql::types::LIST_FAN_OUT * child_complexity")]
    async fn instances(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<InstanceView>> {
        let found = data(ctx).loaders.instances_of_customer.load_one(self.0.id).await.map_err(load_error)?;
        Ok(found.unwrap_or_default().into_iter().map(InstanceView).collect())
    }
}

page!(CustomerPage, "CustomerPage", CustomerView, "A cursor-paginated page of customers.");
