use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use kaiten_flags::FlagType;
use kaiten_kernel::Error;
use serde::Serialize;
use serde_json::Value;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::repository;
use super::schema::FeatureFlag;
use crate::auth::layer::Caller;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManifestFlag {
    pub key: String,
    #[schema(nullable = false)]
    pub name: Option<String>,
    pub r#type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    #[schema(value_type = serde_json::Value)]
    pub default_value: Value,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestEnvelope {
    #[schema(required = true)]
    pub flags: Option<Vec<ManifestFlag>>,
}

/// The manifest entry of a flag with a fallback value. A number is an `integer` when its
/// fallback is whole, else a `float`.
fn entry(flag: FeatureFlag) -> Option<ManifestFlag> {
    let fallback = flag.metadata.get("fallback_value").filter(|v| !v.is_null())?.clone();
    let r#type = match flag.r#type {
        FlagType::Number if fallback.as_f64().is_some_and(|n| n.fract() == 0.0) => "integer",
        FlagType::Number => "float",
        other => other.as_str(),
    };
    Some(ManifestFlag {
        key: flag.slug,
        name: Some(flag.name),
        r#type,
        description: flag.description.filter(|d| !d.is_empty()),
        default_value: fallback,
    })
}

/// Get OpenFeature manifest
///
/// Returns a manifest of all feature flags that have a fallback_value set in their metadata
#[utoipa::path(
    get, path = "/openfeature/v0/manifest", operation_id = "get-openfeature-manifest", tag = "OpenFeature",
    responses((status = 200, description = "OK", body = ManifestEnvelope,
               headers(("X-Manifest-Capabilities" = String)))),
    security(("bearerAuth" = ["read:feature_flags"]))
)]
pub async fn endpoint(State(pool): State<PgPool>, Caller(caller): Caller) -> Result<Response, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let mut entries = Vec::new();
    for row in repository::all(&mut conn, organization_id).await? {
        entries.extend(entry(row.into_dto()?));
    }
    let mut response = Json(ManifestEnvelope { flags: Some(entries) }).into_response();
    response.headers_mut().insert("X-Manifest-Capabilities", HeaderValue::from_static("read"));
    Ok(response)
}
