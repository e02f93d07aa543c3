use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::{events, repository};
use crate::auth::layer::Caller;

/// Delete an instance
///
/// Delete an instance with the provided slug. The delete is permanent and takes the instance's
/// usage counters with it; its usage ledger and its audit trail (the events) are kept.
#[utoipa::path(
    delete, path = "/instances/{instanceSlug}", operation_id = "deleteInstance", tag = "instances",
    params(("instanceSlug" = String, Path, description = "Instance slug", example = "instance-slug")),
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
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let row = repository::row(uow.conn(), organization_id, &slug, "DeleteInstance.NotFound", RowLock::Delete).await?;
    let instance = repository::assemble(uow.conn(), organization_id, vec![row]).await?.remove(0);
    kaiten_kernel::scoped::delete(uow.conn(), "instance", organization_id, instance.id).await?;
    uow.record(organization_id, events::DELETED.with(&instance).about_instance(instance.id)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
