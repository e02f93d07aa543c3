//! The root `Query`: the domains' query objects merged into one type.

use async_graphql::MergedObject;

use super::query::CoreQuery;

#[derive(MergedObject, Default)]
pub struct Query(CoreQuery);
