//! `User`: how a resource names who created or changed it. Every module embeds it.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = User)]
pub struct UserRef {
    /// ID of the user
    #[schema(value_type = String)]
    pub id: Uuid,
    /// Name of the user
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
}

impl UserRef {
    pub fn new(id: Uuid, name: Option<String>) -> Self {
        Self { id, name: name.filter(|n| !n.is_empty()) }
    }
}
