use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::repository;
use crate::auth::layer::Caller;
use crate::modules::identity::schema::ServiceAccount;

/// Get a service account
///
/// The account and its active tokens (never their secrets).
#[utoipa::path(
    get, path = "/service-accounts/{serviceAccountSlug}", operation_id = "get-service-account",
    tag = "service-accounts",
    params(("serviceAccountSlug" = String, Path)),
    responses(
        (status = 200, description = "OK", body = ServiceAccount),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:tokens"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<ServiceAccount>, Error> {
    let mut conn = pool.acquire().await?;
    Ok(Json(repository::find(&mut conn, caller.organization_id()?, &slug).await?))
}
