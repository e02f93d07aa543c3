//! From a resolution to the OFREP body, and the facts an evaluation needs.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kaiten_flags::{EvaluationContext, Reason, Resolution};
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{BulkItem, EvaluationFailure, EvaluationSuccess};
use crate::modules::featureflags::flag_cache::Flag;
use crate::modules::featureflags::runtime::FlagRuntime;

pub fn item(key: &str, resolution: Resolution) -> BulkItem {
    match resolution.error {
        Some((code, message)) if resolution.reason == Reason::Error => BulkItem::Failure(EvaluationFailure {
            key: key.to_owned(),
            error_code: code.as_str(),
            error_details: Some(message),
            metadata: Some(resolution.metadata),
        }),
        _ => BulkItem::Success(EvaluationSuccess {
            key: key.to_owned(),
            value: resolution.value,
            reason: Some(resolution.reason.as_str()),
            variant: Some(resolution.variant).filter(|v| !v.is_empty()),
            metadata: Some(resolution.metadata),
        }),
    }
}

/// A failure that is not about one flag's evaluation (unknown flag, unreadable body).
pub fn failure(status: StatusCode, key: &str, code: &'static str, details: impl Into<String>) -> Response {
    let body = EvaluationFailure {
        key: key.to_owned(),
        error_code: code,
        error_details: Some(details.into()),
        metadata: None,
    };
    (status, Json(body)).into_response()
}

/// Whether any of `flags` would run a rule for this context: only then are facts loaded.
pub fn needs_facts<'a>(mut flags: impl Iterator<Item = &'a Flag>, context: &EvaluationContext) -> bool {
    !context.targeting_key.is_empty()
        && flags.any(|f| f.definition.enabled && f.definition.targetings.as_ref().is_some_and(|t| !t.is_empty()))
}

/// Fills `__kaiten` when a rule may read it.
pub async fn enrich<'a>(
    pool: &PgPool,
    runtime: &FlagRuntime,
    organization_id: Uuid,
    flags: impl Iterator<Item = &'a Flag>,
    context: &mut EvaluationContext,
) {
    if needs_facts(flags, context) {
        context.facts = runtime.facts.namespace(pool, organization_id, context).await;
    }
}
