use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;

use super::repository;
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::identity::schema::{ServiceAccount, ServiceAccountInput};

/// Update a service account
///
/// Full replacement of the name; a new slug renames the account.
#[utoipa::path(
    put, path = "/service-accounts/{serviceAccountSlug}", operation_id = "update-service-account",
    tag = "service-accounts",
    params(("serviceAccountSlug" = String, Path)),
    request_body = ServiceAccount,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["write:tokens"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ValidJson(input): ValidJson<ServiceAccountInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let id = repository::find_id(uow.conn(), organization_id, &slug).await?;
    let new_slug = input.slug.as_deref().unwrap_or(&slug);
    let taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE organization_id = $1 AND slug = $2 AND type = 'machine' AND id <> $3)",
    )
    .bind(organization_id)
    .bind(new_slug)
    .bind(id)
    .fetch_one(uow.conn())
    .await?;
    if taken {
        return Err(Error::conflict(
            "UpdateServiceAccount.SlugConflict",
            "a service account with this slug already exists",
        ));
    }
    sqlx::query("UPDATE users SET name = $3, slug = $4 WHERE organization_id = $1 AND id = $2")
        .bind(organization_id)
        .bind(id)
        .bind(&input.name)
        .bind(new_slug)
        .execute(uow.conn())
        .await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
