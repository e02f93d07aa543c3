use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::OnConstraint;
use kaiten_kernel::{Error, Uow, slug};
use sqlx::PgConnection;
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{Release, ReleaseInput};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::components::repository as components;

/// Create a new release
///
/// Create a new release with the provided details and link the requested components. A release is immutable: there is no update endpoint, and the component list cannot change afterwards. Correcting one means deleting it and creating a new one, which starts a new deployment history.
#[utoipa::path(
    post, path = "/releases", operation_id = "create-release", tag = "releases",
    request_body = Release,
    responses(
        (status = 201, description = "Created", body = Release),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:releases"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<ReleaseInput>,
) -> Result<(StatusCode, Json<Release>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let id = insert(uow.conn(), organization_id, caller.user_id, &input).await?;
    let component_ids = resolve_components(uow.conn(), organization_id, input.component_ids.as_deref()).await?;
    sqlx::query(
        "INSERT INTO component_release (release_id, component_id, organization_id, position)
         SELECT $1, c.id, $2, c.position::int FROM unnest($3::uuid[]) WITH ORDINALITY AS c (id, position)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(&component_ids)
    .execute(uow.conn())
    .await?;
    let release = repository::find_by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::CREATED.with(&release)).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(release)))
}

async fn insert(
    conn: &mut PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
    input: &ReleaseInput,
) -> Result<Uuid, Error> {
    let mut last = String::new();
    for candidate in slug::candidates(input.slug.as_deref(), &input.version) {
        let claimed: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO release (organization_id, version, slug, description, created_by_id)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.version)
        .bind(&candidate)
        .bind(&input.description)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await
        .on_constraint("release_org_version_key", || {
            Error::conflict(
                "CreateRelease.VersionConflict",
                format!("Release with version {:?} already exists in this organization", input.version),
            )
        })?;
        if let Some(id) = claimed {
            return Ok(id);
        }
        last = candidate;
    }
    Err(Error::conflict(
        "CreateRelease.SlugConflict",
        format!("Release with slug {last:?} already exists in this organization"),
    ))
}

/// The body's component ids, de-duplicated in first-seen order, each an existing component of
/// the organization (held until commit, so it cannot be deleted meanwhile). The first unknown
/// one is the 404.
async fn resolve_components(
    conn: &mut PgConnection,
    organization_id: Uuid,
    requested: Option<&[String]>,
) -> Result<Vec<Uuid>, Error> {
    let mut ids: Vec<Uuid> = Vec::new();
    for raw in requested.unwrap_or_default() {
        let id = Uuid::parse_str(raw).map_err(|_| components::id_not_found(raw))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let found: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM component WHERE organization_id = $1 AND id = ANY($2) FOR KEY SHARE")
            .bind(organization_id)
            .bind(&ids)
            .fetch_all(conn)
            .await?;
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(components::id_not_found(&missing.to_string())),
        None => Ok(ids),
    }
}
