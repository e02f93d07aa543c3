use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::user_ref::UserRef;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAccount {
    #[schema(read_only, required = false, value_type = String)]
    pub id: Uuid,
    #[schema(min_length = 1)]
    pub name: String,
    /// Optional URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    #[schema(read_only, required = false)]
    pub external_id: String,
    #[schema(read_only, required = false)]
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub created_by: Option<UserRef>,
    /// The account's active tokens (never their secrets).
    #[schema(schema_with = read_only_tokens)]
    pub tokens: Vec<Token>,
}

crate::page_schema!(PageServiceAccount, ServiceAccount);

/// `readOnly` on the array itself: the generator would put it on the items, which would make
/// the property look writable in request bodies.
fn read_only_tokens() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::extensions::Extensions;
    use utoipa::openapi::schema::{ArrayBuilder, SchemaType, Type};
    let mut array = ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(utoipa::openapi::Ref::from_schema_name("Token"))
        .description(Some("The account's active tokens (never their secrets)."))
        .build();
    array.extensions = Some(Extensions::from_iter([("readOnly", true)]));
    array
}

/// A credential as listed: everything but its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Token {
    #[schema(read_only, required = false, value_type = String)]
    pub id: Uuid,
    pub name: String,
    /// Optional URL-friendly identifier, unique per service account. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    #[schema(required = true)]
    pub scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub created_by: UserRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub revoked_by: Option<UserRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false, value_type = Option<String>)]
    pub service_account_id: Option<Uuid>,
}

crate::page_schema!(PageToken, Token);

/// A credential at creation: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlainToken {
    #[serde(flatten)]
    pub token: Token,
    /// The secret. Shown once; only its digest is stored.
    #[schema(read_only, required = false)]
    #[serde(rename = "token")]
    pub value: String,
}

/// Body of create-service-account and update-service-account.
#[derive(Debug, Deserialize)]
pub struct ServiceAccountInput {
    pub name: String,
    pub slug: Option<String>,
}

impl RequestSchema for ServiceAccountInput {
    const SCHEMA: &'static str = "ServiceAccount";
}

/// Body of create-service-account-token.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInput {
    pub name: String,
    pub scopes: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub slug: Option<String>,
}

impl RequestSchema for TokenInput {
    const SCHEMA: &'static str = "PlainToken";
}
