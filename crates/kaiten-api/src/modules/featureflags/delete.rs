use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::events;
use super::repository::{self, COLUMNS, FlagRow};
use crate::auth::layer::Caller;
use crate::modules::featureflags::runtime::FlagRuntime;

/// Delete a featureflag
///
/// Delete a featureflag with the provided details
#[utoipa::path(
    delete, path = "/feature-flags/{featureFlagSlug}", operation_id = "delete-feature-flag", tag = "featureflags",
    params(("featureFlagSlug" = String, Path)),
    responses((status = 204, description = "No Content"), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["write:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(runtime): State<Arc<FlagRuntime>>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let row: FlagRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "DELETE FROM feature_flag WHERE organization_id = $1 AND slug = $2
         RETURNING {COLUMNS}"
    )))
    .bind(organization_id)
    .bind(&slug)
    .fetch_optional(uow.conn())
    .await?
    .ok_or_else(|| repository::not_found("DeleteFeatureFlag.NotFound", &slug))?;
    let flag = row.into_dto()?;
    uow.record(organization_id, events::DELETED.with(&flag)).await?;
    repository::notify(uow.conn(), organization_id).await?;
    uow.commit().await?;
    runtime.cache.evict(organization_id);
    Ok(StatusCode::NO_CONTENT)
}
