use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::schema::{InstanceLifecycleStageChanged, InstanceStatusChanged, PatchInstanceBody};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Patch an instance
///
/// Partially update an instance. Currently supports the operational status and the commercial
/// lifecycle stage. A field left out is kept; events are recorded only for what changed.
#[utoipa::path(
    patch, path = "/instances/{instanceSlug}", operation_id = "patchInstance", tag = "instances",
    params(("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug")),
    request_body = PatchInstanceBody,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ValidJson(body): ValidJson<PatchInstanceBody>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let current =
        repository::row(uow.conn(), organization_id, &slug, "PatchInstance.NotFound", RowLock::Update).await?;
    let status = body.status.unwrap_or(current.status);
    let stage = body.lifecycle_stage.clone().or_else(|| current.lifecycle_stage.clone());
    let mut changes = Vec::new();
    if status != current.status {
        let payload = InstanceStatusChanged {
            instance_id: current.id,
            previous_status: current.status,
            new_status: status,
            changed_by: caller.user_id,
        };
        changes.push(events::STATUS_CHANGED.with(&payload).about_instance(current.id));
    }
    if stage != current.lifecycle_stage {
        let payload = InstanceLifecycleStageChanged {
            instance_id: current.id,
            previous_lifecycle_stage: current.lifecycle_stage.clone(),
            new_lifecycle_stage: stage.clone(),
            changed_by: caller.user_id,
        };
        changes.push(events::LIFECYCLE_STAGE_CHANGED.with(&payload).about_instance(current.id));
    }
    if changes.is_empty() {
        return Ok(StatusCode::NO_CONTENT);
    }
    sqlx::query(
        "UPDATE instance SET status = $3, lifecycle_stage = $4, updated_by_id = $5, updated_at = now()
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(current.id)
    .bind(status)
    .bind(&stage)
    .bind(caller.user_id)
    .execute(uow.conn())
    .await?;
    uow.record_all(organization_id, changes).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
