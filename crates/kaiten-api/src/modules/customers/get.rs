use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::repository;
use super::schema::Customer;
use crate::auth::layer::Caller;

/// Get a customer by slug
///
/// Returns a single customer by their slug.
#[utoipa::path(
    get, path = "/customers/{customerSlug}", operation_id = "get-customer", tag = "customers",
    params(("customerSlug" = String, Path)),
    responses((status = 200, description = "OK", body = Customer), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:customers"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<Customer>, Error> {
    let mut conn = pool.acquire().await?;
    Ok(Json(repository::find(&mut conn, caller.organization_id()?, &slug).await?))
}
