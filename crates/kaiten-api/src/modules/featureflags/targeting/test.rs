use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use kaiten_flags::{EvaluationContext, RuleEngine};
use kaiten_kernel::Error;
use sqlx::PgPool;

use super::schema::{TargetingRuleRehearsal, TargetingRuleTrial};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::featureflags::repository;
use crate::modules::featureflags::runtime::FlagRuntime;

/// Rehearse a targeting rule against a context
///
/// Runs a rule the way an evaluation would, without a flag and without writing anything: the
/// context is enriched from the same sources (license, entitlements, instance, customer,
/// deployment zone), anything the caller forged under __kaiten is discarded the same way, and
/// the same engine answers. The response carries the enriched facts so an author can see
/// exactly what the rule read — which is usually the answer to why it did or did not match.
/// Nothing is metered or audited: this is authoring, not serving.
#[utoipa::path(
    post, path = "/feature-flags/targeting/test", operation_id = "test-targeting-rule", tag = "featureflags",
    request_body = TargetingRuleTrial,
    responses((status = 200, description = "OK", body = TargetingRuleRehearsal), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["write:feature_flags"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    State(runtime): State<Arc<FlagRuntime>>,
    Caller(caller): Caller,
    ValidJson(trial): ValidJson<TargetingRuleTrial>,
) -> Result<Json<TargetingRuleRehearsal>, Error> {
    let organization_id = caller.organization_id()?;
    let mut context = EvaluationContext::from_request(trial.context.unwrap_or_default());
    context.targeting_key = trial.targeting_key.unwrap_or_default();
    context.facts = runtime.facts.namespace(&pool, organization_id, &context).await;
    let mut conn = pool.acquire().await?;
    let catalog = repository::catalog(&mut conn, organization_id).await?;
    let engine = &runtime.engine;
    let (issues, matched, evaluation_error) = match engine.check(&trial.rule, Some(&catalog)) {
        Ok(rule) => match engine.matches(&rule, &engine.activation(&context)) {
            Ok(matched) => (Vec::new(), matched, None),
            Err(message) => (Vec::new(), false, Some(message)),
        },
        Err(issues) => (issues, false, None),
    };
    Ok(Json(TargetingRuleRehearsal {
        evaluation_error,
        facts: context.facts,
        valid: issues.is_empty(),
        issues,
        matched,
    }))
}
