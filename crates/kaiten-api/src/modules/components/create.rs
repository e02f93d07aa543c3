use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow, slug};
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{Component, ComponentInput};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Create a new component
///
/// Create a new standalone component. Optionally derive it from a previous component version.
#[utoipa::path(
    post, path = "/components", operation_id = "create-component", tag = "components",
    request_body = Component,
    responses(
        (status = 201, description = "Created", body = Component),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:components"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<ComponentInput>,
) -> Result<(StatusCode, Json<Component>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let previous = match &input.previous_component_id {
        Some(id) => Some(repository::find_by_id(uow.conn(), organization_id, id, RowLock::KeyShare).await?.id),
        None => None,
    };
    let id = insert(uow.conn(), organization_id, caller.user_id, &input, previous).await?;
    let component = repository::find_by_id(uow.conn(), organization_id, &id.to_string(), RowLock::None).await?;
    uow.record(organization_id, events::CREATED.with(&component)).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(component)))
}

/// Inserts a component with the caller's slug (a collision is a 409) or a generated one
/// (retried). Also the "new version" write of update.
pub async fn insert(
    conn: &mut sqlx::PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
    input: &ComponentInput,
    previous: Option<Uuid>,
) -> Result<Uuid, Error> {
    let mut last = String::new();
    for candidate in slug::candidates(input.slug.as_deref(), &input.slug_source()) {
        let claimed = sqlx::query_scalar(
            "INSERT INTO component (organization_id, name, version, slug, description, previous_component_id, created_by_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(&input.version)
        .bind(&candidate)
        .bind(&input.description)
        .bind(previous)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await;
        let claimed: Option<Uuid> = repository::on_conflicts(claimed, &candidate, &input.name, &input.version)?;
        if let Some(id) = claimed {
            return Ok(id);
        }
        last = candidate;
    }
    Err(repository::slug_conflict(&last))
}
