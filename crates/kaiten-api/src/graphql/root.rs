//! The root `Query`: the domains' query objects merged into one type.

use async_graphql::MergedObject;

use super::audit_query::AuditQuery;
use super::query::CoreQuery;
use super::releases_query::ReleasesQuery;

#[derive(MergedObject, Default)]
pub struct Query(CoreQuery, ReleasesQuery, AuditQuery);
