use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::events;
use super::repository::{self, EntitlementRow};
use super::schema::Entitlement;
use super::schema::EntitlementInput;
use super::settings::Settings;
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Update an entitlement
///
/// Update an existing entitlement with the provided details
#[utoipa::path(
    put, path = "/entitlements/{entitlementSlug}", operation_id = "update-entitlement", tag = "entitlements",
    params(("entitlementSlug" = String, Path)),
    request_body = Entitlement,
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ValidJson(input): ValidJson<EntitlementInput>,
) -> Result<StatusCode, Error> {
    let organization_id = caller.organization_id()?;
    if input.slug.as_deref().is_some_and(|s| s != slug) {
        return Err(Error::unprocessable_rule(
            "UpdateEntitlement.SlugNotRenameable",
            "an entitlement's slug cannot be changed",
        ));
    }
    let mut uow = Uow::begin(&pool).await?;
    let current =
        repository::row(uow.conn(), organization_id, &slug, "UpdateEntitlement.NotFound", RowLock::Update).await?;
    check_immutable(&current, &input)?;
    let settings = Settings::from_input(current.r#type, current.aggregation_method, &input);
    settings.check("UpdateEntitlement")?;
    repository::write_settings(
        uow.conn(),
        organization_id,
        current.id,
        &input.name,
        input.description.as_deref(),
        &settings,
    )
    .await?;
    if let Some(groups) = &input.group_slugs {
        repository::set_groups(uow.conn(), organization_id, current.id, groups, "UpdateEntitlement.GroupNotFound")
            .await?;
    }
    let updated = repository::find_by_id(uow.conn(), organization_id, current.id).await?;
    uow.record(organization_id, events::UPDATED.with(&updated)).await?;
    uow.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the counters already measured depends on these, so they never change once stored;
/// a full-replacement PUT must echo them (or, for type and method, may omit them).
fn check_immutable(current: &EntitlementRow, input: &EntitlementInput) -> Result<(), Error> {
    if input.r#type.is_some_and(|t| t != current.r#type) {
        return Err(Error::bad_request("UpdateEntitlement.ImmutableType", "an entitlement's type cannot be changed"));
    }
    if input.aggregation_method.is_some() && input.aggregation_method != current.aggregation_method {
        return Err(Error::bad_request(
            "UpdateEntitlement.ImmutableAggregationMethod",
            "an entitlement's aggregationMethod cannot be changed",
        ));
    }
    if current.reset_period.is_some() && input.reset_period != current.reset_period {
        return Err(Error::bad_request(
            "UpdateEntitlement.ImmutableResetPeriod",
            "resetPeriod cannot be changed or removed once set; send back the stored value",
        ));
    }
    if current.reset_anchor.is_some() && input.reset_anchor != current.reset_anchor {
        return Err(Error::bad_request(
            "UpdateEntitlement.ImmutableResetAnchor",
            "resetAnchor cannot be changed or removed once set; send back the stored value",
        ));
    }
    Ok(())
}
