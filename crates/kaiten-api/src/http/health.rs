use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kaiten_kernel::Error;
use sqlx::PgPool;

/// 200 when the database answers, a 503 problem otherwise.
pub async fn healthz(State(pool): State<PgPool>) -> Response {
    let probe = tokio::time::timeout(std::time::Duration::from_secs(2), sqlx::query("SELECT 1").execute(&pool));
    match probe.await {
        Ok(Ok(_)) => (StatusCode::OK, axum::Json(serde_json::json!({ "status": "ok" }))).into_response(),
        _ => Error::unavailable("Health.DatabaseUnavailable", "the database does not answer").into_response(),
    }
}

/// 200 while the process serves requests, whatever the database does: a liveness probe (a
/// restart cannot fix an unreachable database), and the static ceiling of the benchmarks.
pub async fn livez() -> Response {
    (StatusCode::OK, axum::Json(serde_json::json!({ "status": "ok" }))).into_response()
}
