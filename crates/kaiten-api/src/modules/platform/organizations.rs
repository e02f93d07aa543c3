use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::Uow;
use kaiten_kernel::{Error, external_id};
use sqlx::PgConnection;
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{EnsureOrganizationBody, Organization};
use crate::auth::Authenticator;
use crate::auth::invalidation;
use crate::http::{ValidJson, path};
use crate::invalidation::Invalidate;

/// Ensure an organization exists
///
/// Idempotent: the id is derived from `externalId`, so the same external id always converges
/// on the same organization. An existing one is returned unchanged, except that it gets a name
/// if it had none.
#[utoipa::path(
    post, path = "/platform/organizations", operation_id = "ensure-organization", tag = "organizations",
    request_body = EnsureOrganizationBody,
    responses((status = 200, description = "OK", body = Organization), (status = 400, description = "Bad Request")),
    security(("platformAuth" = ["write:organizations"]))
)]
pub async fn ensure(
    State(pool): State<PgPool>,
    ValidJson(body): ValidJson<EnsureOrganizationBody>,
) -> Result<Json<Organization>, Error> {
    let external = body.external_id.trim();
    if external.is_empty() {
        return Err(Error::bad_request("EnsureOrganization.InvalidExternalId", "externalId must not be blank"));
    }
    let name = body.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let organization: Organization = sqlx::query_as::<_, (Uuid, String, String)>(
        "INSERT INTO organization (id, external_id, name) VALUES ($1, $2, COALESCE($3, $2))
         ON CONFLICT (external_id) DO UPDATE
            SET name = CASE WHEN organization.name = '' THEN COALESCE($3, $2) ELSE organization.name END
         RETURNING id, external_id, name",
    )
    .bind(external_id::organization_id(external))
    .bind(external)
    .bind(name)
    .fetch_one(&pool)
    .await
    .map(|(id, external_id, name)| Organization { id, external_id, name })?;
    Ok(Json(organization))
}

/// Get an organization
#[utoipa::path(
    get, path = "/platform/organizations/{orgId}", operation_id = "get-organization", tag = "organizations",
    params(("orgId" = String, Path)),
    responses((status = 200, description = "OK", body = Organization), (status = 404, description = "Not Found")),
    security(("platformAuth" = ["read:organizations"]))
)]
pub async fn get(State(pool): State<PgPool>, Path(org): Path<String>) -> Result<Json<Organization>, Error> {
    let id = path::uuid(&org, "orgId")?;
    let mut conn = pool.acquire().await?;
    Ok(Json(find(&mut conn, id).await?))
}

/// Delete an organization
///
/// Permanent: everything the organization owns is deleted with it, and every credential of
/// it stops working at once.
#[utoipa::path(
    delete, path = "/platform/organizations/{orgId}", operation_id = "delete-organization", tag = "organizations",
    params(("orgId" = String, Path)),
    responses((status = 204, description = "No Content"), (status = 404, description = "Not Found")),
    security(("platformAuth" = ["delete:organizations"]))
)]
pub async fn delete(
    State(pool): State<PgPool>,
    State(auth): State<Arc<Authenticator>>,
    Path(org): Path<String>,
) -> Result<StatusCode, Error> {
    let id = path::uuid(&org, "orgId")?;
    let mut uow = Uow::begin(&pool).await?;
    if !hard_delete(uow.conn(), id).await? {
        return Err(not_found(id));
    }
    uow.commit().await?;
    auth.evict_everything();
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an organization for good, with everything it owns, and queues the invalidation of
/// every replica's authentication caches in the same transaction. Whether it existed; the
/// caller evicts its own caches after the commit. Also applies Clerk's `organization.deleted`.
pub(crate) async fn hard_delete(conn: &mut PgConnection, id: Uuid) -> Result<bool, Error> {
    let deleted = sqlx::query("DELETE FROM organization WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(invalidation::everything_if_changed(conn, deleted).await?)
}

pub fn not_found(id: Uuid) -> Error {
    Error::not_found("Organization.NotFound", format!("organization {id} not found"))
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Organization, Error> {
    let row: Option<(Uuid, String, String)> =
        sqlx::query_as("SELECT id, external_id, name FROM organization WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(|(id, external_id, name)| Organization { id, external_id, name }).ok_or_else(|| not_found(id))
}
