use std::cell::OnceCell;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaiten_flags::{EvaluationContext, evaluate};
use sqlx::PgPool;

use super::schema::{BulkEvaluationFailure, BulkEvaluationRequest, BulkEvaluationResponse, BulkFlags};
use super::{body, etag, respond};
use crate::auth::layer::{Caller, DeferredScope};
use crate::modules::featureflags::runtime::FlagRuntime;

/// OFREP bulk flag evaluation contract
///
/// OFREP bulk evaluation request.
/// The endpoint is called by the client providers to evaluate all flags at once.
#[utoipa::path(
    post, path = "/ofrep/v1/evaluate/flags", operation_id = "evaluateFlagsBulk", tag = "OFREP Core",
    params(("If-None-Match" = Option<String>, Header, nullable = false,
            description = "The request will be processed only if ETag doesn't match any of the values listed.")),
    request_body(content = Option<BulkEvaluationRequest>, description = "EvaluateVariant multiple flags in one request"),
    responses(
        (status = 200, description = "OFREP successful evaluation response", body = BulkEvaluationResponse,
         headers(("ETag" = String, description = "Entity tag used for cache validation"))),
        (status = 304, description = "Bulk evaluation is not modified"),
        (status = 400, description = "Bad evaluation request", body = BulkEvaluationFailure, content_type = "application/json"),
        (status = 401, description = "Unauthorized - You need credentials to access the API"),
        (status = 403, description = "Forbidden - You are not authorized to access the API"),
        (status = 429, description = "Rate limit reached on the Flag Management System",
         headers(("Retry-After" = String, description = "Indicates when to retry the request again"))),
        (status = 500, description = "Internal server error", body = BulkEvaluationFailure, content_type = "application/json"),
    ),
    security(("bearerAuth" = ["read:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(runtime): State<Arc<FlagRuntime>>,
    Caller(caller): Caller,
    deferred: Option<axum::Extension<DeferredScope>>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let raw_context = match body::context(&headers, &raw, true) {
        Ok(context) => context,
        // The contract's and OFREP's shape (the original answered `{error, message}` here,
        // which OpenFeature providers cannot read): the code the single route gives.
        Err(message) => {
            let failure = BulkEvaluationFailure { error_code: "INVALID_BODY".into(), error_details: Some(message) };
            return (StatusCode::BAD_REQUEST, Json(failure)).into_response();
        }
    };
    if let Err(err) = DeferredScope::check(deferred.as_deref(), &caller) {
        return err.into_response();
    }
    let Ok(organization_id) = caller.organization_id() else {
        return Json(BulkFlags { flags: Vec::new() }).into_response();
    };
    let flags = match runtime.cache.get(&pool, &runtime.engine, organization_id).await {
        Ok(flags) => flags,
        Err(err) => {
            tracing::error!(error = %err, "flags could not be loaded");
            let failure = BulkEvaluationFailure {
                error_code: "PROVIDER_FATAL".into(),
                error_details: Some("error during bulk evaluation".into()),
            };
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(failure)).into_response();
        }
    };
    let mut context = EvaluationContext::from_request(raw_context.clone());
    respond::enrich(&pool, &runtime, organization_id, flags.flags.iter(), &mut context).await;
    let now = chrono::Utc::now();
    let tag = etag::compute(&flags, &raw_context, &context, now);
    let tag_header = HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"\""));
    if let Some(candidates) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok())
        && etag::matches(candidates, &tag)
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag_header)]).into_response();
    }
    let activation = OnceCell::new();
    let items = flags
        .flags
        .iter()
        .enumerate()
        .map(|(index, flag)| {
            let resolution = evaluate(&runtime.engine, flag, &context, &activation, now);
            runtime.audit.evaluated(organization_id, &flags, index, &resolution);
            respond::item(flag.slug(), resolution)
        })
        .collect();
    drop(activation);
    (StatusCode::OK, [(header::ETAG, tag_header)], Json(BulkFlags { flags: items })).into_response()
}
