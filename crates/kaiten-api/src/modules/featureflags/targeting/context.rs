use axum::Json;
use axum::extract::State;
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::schema::TargetingContext;
use super::tree;
use crate::auth::layer::Caller;
use crate::modules::featureflags::repository;

/// Describe what a targeting rule can read
///
/// The values a targeting rule can read: the server-owned `__kaiten` facts (license,
/// entitlements keyed by the organization's slugs, instance, customer, deployment zone) and
/// `targetingKey`, as a tree an editor can offer for completion.
#[utoipa::path(
    get, path = "/feature-flags/targeting/context", operation_id = "get-targeting-context", tag = "featureflags",
    responses((status = 200, description = "OK", body = TargetingContext)),
    security(("bearerAuth" = ["read:feature_flags"]))
)]
pub async fn endpoint(State(pool): State<PgPool>, Caller(caller): Caller) -> Result<Json<TargetingContext>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let slugs = repository::catalog(&mut conn, organization_id).await?;
    Ok(Json(TargetingContext { roots: tree::roots(slugs.into_iter().collect()) }))
}
