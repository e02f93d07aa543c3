use axum::Json;
use axum::extract::State;
use kaiten_kernel::Error;

use super::credentials;
use super::schema::PlatformCredential;
use crate::auth::layer::Caller;
use crate::state::AppState;

/// Describe the calling platform credential
#[utoipa::path(
    get, path = "/platform/me", operation_id = "get-platform-me", tag = "platform",
    responses((status = 200, description = "OK", body = PlatformCredential)),
    security(("platformAuth" = ["read:tokens"]))
)]
pub async fn endpoint(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<PlatformCredential>, Error> {
    let id = caller.platform_token_id()?;
    let mut conn = state.pool.acquire().await?;
    let credential = credentials::find(&mut conn, id)
        .await?
        .ok_or_else(|| Error::unauthorized("Auth.InvalidPlatformToken", "invalid platform token"))?;
    Ok(Json(credential))
}
