use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{Component, ComponentInput};
use super::{create, events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Update a component
///
/// Update a component in place when unlinked, or create a new version when it is already linked to releases.
#[utoipa::path(
    put, path = "/components/{componentSlug}", operation_id = "update-component", tag = "components",
    params(("componentSlug" = String, Path, description = "Component slug")),
    request_body = Component,
    responses(
        (status = 200, description = "OK", body = Component),
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
    ValidJson(mut input): ValidJson<ComponentInput>,
) -> Result<Json<Component>, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    // FOR UPDATE, not the usual no-key lock: a release being created links components under a
    // key-share lock, which only this one excludes, so "is it linked" holds until commit.
    let current = repository::find(uow.conn(), organization_id, &slug, RowLock::Delete).await?;
    let echoed = input.previous_component_id.as_deref().map(|id| Uuid::parse_str(id).ok());
    if echoed.is_some_and(|id| id.is_none() || id != current.previous_component_id) {
        return Err(Error::unprocessable_rule(
            "UpdateComponent.PreviousComponentNotSettable",
            "previousComponentId cannot be changed through this endpoint; it is set once, at creation",
        ));
    }
    // Left out, the description is kept (as in the original); an empty one clears it.
    input.description = match input.description.take() {
        None => current.description.clone(),
        Some(d) if d.is_empty() => None,
        some => some,
    };
    let linked = repository::link_count(uow.conn(), current.id).await? > 0;
    let id = if linked {
        new_version(uow.conn(), organization_id, caller.user_id, &current, &input).await?
    } else {
        in_place(uow.conn(), organization_id, &current, &input).await?
    };
    let component = repository::find_by_id(uow.conn(), organization_id, &id.to_string(), RowLock::None).await?;
    uow.record(organization_id, events::UPDATED.with(&component)).await?;
    uow.commit().await?;
    Ok(Json(component))
}

/// A released component is never changed: the update becomes its next version, which the
/// releases do not link.
async fn new_version(
    conn: &mut sqlx::PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
    current: &Component,
    input: &ComponentInput,
) -> Result<Uuid, Error> {
    if input.name == current.name && input.version == current.version {
        return Err(Error::bad_request(
            "UpdateComponent.LinkedComponentRequiresNewVersion",
            format!("Component {:?} is linked to releases and requires a new version when updated", current.slug),
        ));
    }
    // The old version keeps its slug; the new one gets the caller's or a generated one.
    let input = ComponentInput { slug: input.slug.clone().filter(|s| *s != current.slug), ..input.clone() };
    create::insert(conn, organization_id, user_id, &input, Some(current.id)).await
}

async fn in_place(
    conn: &mut sqlx::PgConnection,
    organization_id: Uuid,
    current: &Component,
    input: &ComponentInput,
) -> Result<Uuid, Error> {
    let slug = input.slug.as_deref().unwrap_or(&current.slug);
    let written = sqlx::query(
        "UPDATE component SET name = $3, version = $4, slug = $5, description = $6
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(current.id)
    .bind(&input.name)
    .bind(&input.version)
    .bind(slug)
    .bind(&input.description)
    .execute(conn)
    .await;
    repository::on_conflicts(written, slug, &input.name, &input.version)?;
    Ok(current.id)
}
