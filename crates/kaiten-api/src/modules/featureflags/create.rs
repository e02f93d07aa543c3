use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow, slug};
use sqlx::PgPool;

use super::repository::COLUMNS;
use super::schema::{FeatureFlag, FeatureFlagInput};
use super::{events, repository, validate};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::featureflags::runtime::FlagRuntime;

/// Create a new feature flag
///
/// Create a new featureflag with the provided details
#[utoipa::path(
    post, path = "/feature-flags", operation_id = "create-feature-flag", tag = "featureflags",
    request_body(content = FeatureFlag, description = "Feature flag details"),
    responses(
        (status = 201, description = "Created", body = FeatureFlag),
        (status = 400, description = "Bad Request"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(runtime): State<Arc<FlagRuntime>>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<FeatureFlagInput>,
) -> Result<(StatusCode, Json<FeatureFlag>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let catalog = repository::catalog(uow.conn(), organization_id).await?;
    validate::check(&runtime.engine, &input, Some(&catalog))?;
    let mut created = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO feature_flag (organization_id, slug, name, description, type, variants, targetings,
                                       default_variant, metadata, enabled, event_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (organization_id, slug) DO NOTHING
             RETURNING {COLUMNS}"
        )))
        .bind(organization_id)
        .bind(candidate.as_str());
        created = repository::bind_fields(query, &input).fetch_optional(uow.conn()).await?;
        if created.is_some() {
            break;
        }
    }
    let row = created.ok_or_else(|| {
        Error::conflict(
            "CreateFeatureFlag.SlugConflict",
            format!("Feature flag with slug {:?} already exists", input.slug.as_deref().unwrap_or_default()),
        )
    })?;
    let flag = row.into_dto()?;
    uow.record(organization_id, events::CREATED.with(&flag)).await?;
    repository::notify(uow.conn(), organization_id).await?;
    uow.commit().await?;
    runtime.cache.evict(organization_id);
    Ok((StatusCode::CREATED, Json(flag)))
}
