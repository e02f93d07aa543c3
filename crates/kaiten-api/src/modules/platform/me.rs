use axum::Json;
use axum::extract::State;
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::credentials;
use super::schema::PlatformCredential;
use crate::auth::layer::Caller;

/// Describe the calling platform credential
#[utoipa::path(
    get, path = "/platform/me", operation_id = "get-platform-me", tag = "platform",
    responses((status = 200, description = "OK", body = PlatformCredential)),
    security(("platformAuth" = ["read:tokens"]))
)]
pub async fn endpoint(State(pool): State<PgPool>, Caller(caller): Caller) -> Result<Json<PlatformCredential>, Error> {
    let id = caller.platform_token_id()?;
    let mut conn = pool.acquire().await?;
    let credential = credentials::find(&mut conn, id)
        .await?
        .ok_or_else(|| Error::unauthorized("Auth.InvalidPlatformToken", "invalid platform token"))?;
    Ok(Json(credential))
}
