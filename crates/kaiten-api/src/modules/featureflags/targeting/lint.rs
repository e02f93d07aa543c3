use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use kaiten_flags::RuleEngine;
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::schema::{TargetingRuleDraft, TargetingRuleVerdict};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::featureflags::repository;
use crate::modules::featureflags::runtime::FlagRuntime;

/// Lint a targeting rule
///
/// Checks a rule the way saving a flag does — syntax, the `__kaiten` paths it reads, the
/// entitlements it names, its worst-case cost — without saving anything. A rule that would be
/// refused is a 200 with `valid: false` and positioned issues.
#[utoipa::path(
    post, path = "/feature-flags/targeting/lint", operation_id = "lint-targeting-rule", tag = "featureflags",
    request_body = TargetingRuleDraft,
    responses((status = 200, description = "OK", body = TargetingRuleVerdict), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["write:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(runtime): State<Arc<FlagRuntime>>,
    Caller(caller): Caller,
    ValidJson(draft): ValidJson<TargetingRuleDraft>,
) -> Result<Json<TargetingRuleVerdict>, Error> {
    let organization_id = caller.organization_id()?;
    let mut conn = pool.acquire().await?;
    let catalog = repository::catalog(&mut conn, organization_id).await?;
    let issues = runtime.engine.check(&draft.rule, Some(&catalog)).err().unwrap_or_default();
    Ok(Json(TargetingRuleVerdict { valid: issues.is_empty(), issues }))
}
