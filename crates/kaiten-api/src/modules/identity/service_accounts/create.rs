use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow, secret, slug};
use sqlx::PgConnection;
use sqlx::PgPool;
use uuid::Uuid;

use super::repository;
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::identity::schema::{ServiceAccount, ServiceAccountInput};

/// Create a service account
///
/// A machine identity of this organization, which holds tokens.
#[utoipa::path(
    post, path = "/service-accounts", operation_id = "create-service-account", tag = "service-accounts",
    request_body = ServiceAccount,
    responses(
        (status = 201, description = "Created", body = ServiceAccount),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:tokens"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<ServiceAccountInput>,
) -> Result<(StatusCode, Json<ServiceAccount>), Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let slug = insert(uow.conn(), organization_id, caller.user_id, &input).await?;
    let account = repository::find(uow.conn(), organization_id, &slug).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// Inserts the machine user and its membership; returns the slug it got.
async fn insert(
    conn: &mut PgConnection,
    organization_id: Uuid,
    creator: Uuid,
    input: &ServiceAccountInput,
) -> Result<String, Error> {
    let mut claimed = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        let candidate = candidate.as_str();
        let id: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO users (external_id, name, slug, type, organization_id, created_by_id)
             VALUES ($1, $2, $3, 'machine', $4, $5)
             ON CONFLICT (organization_id, slug) WHERE type = 'machine' DO NOTHING RETURNING id",
        )
        .bind(secret::generate(secret::SERVICE_ACCOUNT_PREFIX))
        .bind(&input.name)
        .bind(candidate)
        .bind(organization_id)
        .bind(creator)
        .fetch_optional(&mut *conn)
        .await?;
        claimed = id.map(|id| (id, candidate.to_owned()));
        if claimed.is_some() {
            break;
        }
    }
    let (id, slug) = claimed.ok_or_else(|| {
        Error::conflict("CreateServiceAccount.SlugConflict", "a service account with this slug already exists")
    })?;
    sqlx::query("INSERT INTO membership (organization_id, user_id) VALUES ($1, $2)")
        .bind(organization_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(slug)
}
