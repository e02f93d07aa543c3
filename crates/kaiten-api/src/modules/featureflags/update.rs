use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::OnConstraint;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;
use uuid::Uuid;

use super::repository::COLUMNS;
use super::schema::{FeatureFlag, FeatureFlagInput};
use super::{events, repository, validate};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::featureflags::runtime::FlagRuntime;

/// Update a featureflag
///
/// Update a featureflag with the provided details. The body replaces the whole flag,
/// including its slug.
#[utoipa::path(
    put, path = "/feature-flags/{featureFlagSlug}", operation_id = "update-feature-flag", tag = "featureflags",
    params(("featureFlagSlug" = String, Path)),
    request_body(content = FeatureFlag, description = "Feature flag details"),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(runtime): State<Arc<FlagRuntime>>,
    Caller(caller): Caller,
    Path(current): Path<String>,
    ValidJson(input): ValidJson<FeatureFlagInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let id: Uuid =
        sqlx::query_scalar("SELECT id FROM feature_flag WHERE organization_id = $1 AND slug = $2 FOR NO KEY UPDATE")
            .bind(organization_id)
            .bind(&current)
            .fetch_optional(uow.conn())
            .await?
            .ok_or_else(|| repository::not_found("UpdateFeatureFlag.NotFound", &current))?;
    let catalog = repository::catalog(uow.conn(), organization_id).await?;
    validate::check(&runtime.engine, &input, Some(&catalog))?;
    // The schema already refused a malformed slug; none given keeps the current one.
    let slug = input.slug.clone().unwrap_or_else(|| current.clone());
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE feature_flag
            SET slug = $3, name = $4, description = $5, type = $6, variants = $7, targetings = $8,
                default_variant = $9, metadata = $10, enabled = $11, event_name = $12, updated_at = now()
          WHERE organization_id = $1 AND id = $2
          RETURNING {COLUMNS}"
    )))
    .bind(organization_id)
    .bind(id)
    .bind(&slug);
    let row = repository::bind_fields(query, &input)
        .fetch_one(uow.conn())
        .await
        .on_constraint("feature_flag_org_slug_key", || {
            Error::conflict("UpdateFeatureFlag.SlugConflict", format!("Feature flag with slug {slug:?} already exists"))
        })?;
    let flag: FeatureFlag = row.into_dto()?;
    uow.record(organization_id, events::UPDATED.with(&flag)).await?;
    repository::notify(uow.conn(), organization_id).await?;
    uow.commit().await?;
    runtime.cache.evict(organization_id);
    Ok(StatusCode::NO_CONTENT)
}
