use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::{events, repository};
use crate::auth::layer::Caller;

/// Delete a component
///
/// Delete a component by slug if it is not linked to any release.
#[utoipa::path(
    delete, path = "/components/{componentSlug}", operation_id = "delete-component", tag = "components",
    params(("componentSlug" = String, Path, description = "Component slug")),
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:components"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let component = repository::find(uow.conn(), organization_id, &slug, RowLock::Delete).await?;
    let links = repository::link_count(uow.conn(), component.id).await?;
    if links > 0 {
        return Err(Error::conflict(
            "DeleteComponent.LinkedComponentConflict",
            format!("Component {slug:?} is linked to {links} release(s) and cannot be deleted"),
        ));
    }
    kaiten_kernel::scoped::delete(uow.conn(), "component", organization_id, component.id).await?;
    uow.record(organization_id, events::DELETED.with(&component)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
