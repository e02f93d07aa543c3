use std::cell::OnceCell;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kaiten_flags::{EvaluationContext, evaluate};
use sqlx::PgPool;

use super::schema::{BulkItem, EvaluationFailure, EvaluationRequest, EvaluationSuccess};
use super::{body, respond};
use crate::auth::layer::{Caller, DeferredScope};
use crate::modules::featureflags::runtime::FlagRuntime;

/// OFREP single flag evaluation contract
///
/// EvaluateVariant a single feature flag for a given key
#[utoipa::path(
    post, path = "/ofrep/v1/evaluate/flags/{key}", operation_id = "evaluateFlag", tag = "OFREP Core",
    params(("key" = String, Path)),
    request_body(content = EvaluationRequest, description = "Evaluation context"),
    responses(
        (status = 200, description = "Flag evaluated successfully", body = EvaluationSuccess),
        (status = 400, description = "Evaluation failed", body = EvaluationFailure, content_type = "application/json"),
        (status = 500, description = "Internal error", body = EvaluationFailure, content_type = "application/json"),
    ),
    security(("bearerAuth" = ["read:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(runtime): State<Arc<FlagRuntime>>,
    Caller(caller): Caller,
    deferred: Option<axum::Extension<DeferredScope>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let context = match body::context(&headers, &raw, false) {
        Ok(context) => context,
        Err(details) => return respond::failure(StatusCode::BAD_REQUEST, &key, "INVALID_BODY", details),
    };
    if let Err(err) = DeferredScope::check(deferred.as_deref(), &caller) {
        return err.into_response();
    }
    let organization_id = match caller.organization_id() {
        Ok(id) => id,
        Err(_) => {
            return respond::failure(
                StatusCode::BAD_REQUEST,
                &key,
                "PROVIDER_FATAL",
                "unable to retrieve user information",
            );
        }
    };
    let flags = match runtime.cache.get(&pool, &runtime.engine, organization_id).await {
        Ok(flags) => flags,
        Err(err) => {
            tracing::error!(error = %err, "flags could not be loaded");
            return respond::failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                &key,
                "GENERAL",
                "error during flag evaluation",
            );
        }
    };
    let Some((index, flag)) = flags.find(&key) else {
        return respond::failure(StatusCode::BAD_REQUEST, &key, "FLAG_NOT_FOUND", "feature flag not found");
    };
    let mut context = EvaluationContext::from_request(context);
    respond::enrich(&pool, &runtime, organization_id, std::iter::once(flag), &mut context).await;
    let resolution = evaluate(&runtime.engine, flag, &context, &OnceCell::new(), chrono::Utc::now());
    runtime.audit.evaluated(organization_id, &flags, index, &resolution);
    match respond::item(&key, resolution) {
        BulkItem::Success(success) => (StatusCode::OK, Json(success)).into_response(),
        BulkItem::Failure(failure) => (StatusCode::BAD_REQUEST, Json(failure)).into_response(),
    }
}
