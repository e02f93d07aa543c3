use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, ErrorDetail, Uow, slug};
use sqlx::PgPool;
use uuid::Uuid;

use super::kinds::AggregationMethod;
use super::schema::{Entitlement, EntitlementInput};
use super::settings::Settings;
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Create a new entitlement
///
/// Create a new entitlement with the provided details
#[utoipa::path(
    post, path = "/entitlements", operation_id = "create-entitlement", tag = "entitlements",
    request_body = Entitlement,
    responses(
        (status = 201, description = "Created", body = Entitlement),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:entitlements"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<EntitlementInput>,
) -> Result<(StatusCode, Json<Entitlement>), Error> {
    let organization_id = caller.organization_id()?;
    let Some(kind) = input.r#type else {
        return Err(Error::unprocessable_rule("CreateEntitlement.TypeRequired", "type is required")
            .with_errors(vec![ErrorDetail::new("body.type", "expected required property type to be present")]));
    };
    // A non-numeric entitlement folds nothing: a method sent for one is dropped, not refused.
    let aggregation = kind.is_numeric().then(|| input.aggregation_method.unwrap_or(AggregationMethod::Sum));
    let settings = Settings::from_input(kind, aggregation, &input);
    settings.check("CreateEntitlement")?;

    let mut uow = Uow::begin(&pool).await?;
    let conn = uow.conn();
    let mut claimed = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        let candidate = candidate.as_str();
        claimed = sqlx::query_scalar(
            "INSERT INTO entitlement (organization_id, name, slug, type, aggregation_method)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(candidate)
        .bind(kind)
        .bind(aggregation)
        .fetch_optional(&mut *conn)
        .await?;
        if claimed.is_some() {
            break;
        }
    }
    let id: Uuid = claimed.ok_or_else(|| {
        Error::conflict("CreateEntitlement.SlugConflict", "an entitlement with this slug already exists")
    })?;
    repository::write_settings(uow.conn(), organization_id, id, &input.name, input.description.as_deref(), &settings)
        .await?;
    if let Some(groups) = &input.group_slugs {
        repository::set_groups(uow.conn(), organization_id, id, groups, "CreateEntitlement.GroupNotFound").await?;
    }
    let entitlement = repository::find_by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::CREATED.with(&entitlement)).await?;
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(entitlement)))
}
