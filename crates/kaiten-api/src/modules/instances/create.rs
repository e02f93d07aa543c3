use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow, slug};
use sqlx::PgPool;
use uuid::Uuid;

use super::schema::{Instance, InstanceInput};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::integrations::{self, Owner};

/// Create a new instance
///
/// Create a new instance with the provided details
#[utoipa::path(
    post, path = "/instances", operation_id = "createInstance", tag = "instances",
    request_body = Instance,
    responses(
        (status = 201, description = "Created", body = Instance),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<InstanceInput>,
) -> Result<(StatusCode, Json<Instance>), Error> {
    let organization_id = caller.organization_id()?;
    let integrations = integrations::normalized(input.integrations.as_ref(), "CreateInstance.InvalidIntegration")?;
    let mut uow = Uow::begin(&pool).await?;
    let refs = repository::references(uow.conn(), organization_id, &input, None, "CreateInstance").await?;
    let metadata = input.metadata.clone().unwrap_or_else(|| serde_json::json!({}));
    let mut claimed: Option<Uuid> = None;
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        claimed = sqlx::query_scalar(
            "INSERT INTO instance (organization_id, name, slug, description, customer_id, license_id,
                                   start_license_date, end_license_date, metadata, deployment_zone_id, created_by_id, updated_by_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&input.name)
        .bind(&candidate)
        .bind(&input.description)
        .bind(refs.customer)
        .bind(refs.license)
        .bind(input.start_license_date)
        .bind(input.end_license_date)
        .bind(&metadata)
        .bind(refs.zone)
        .bind(caller.user_id)
        .fetch_optional(uow.conn())
        .await?;
        if claimed.is_some() {
            break;
        }
    }
    let id = claimed
        .ok_or_else(|| Error::conflict("CreateInstance.SlugConflict", "an instance with this slug already exists"))?;
    integrations::insert(
        uow.conn(),
        Owner::Instance,
        organization_id,
        id,
        &integrations,
        "CreateInstance.IntegrationConflict",
    )
    .await?;
    let instance = repository::by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::CREATED.with(&instance).about_instance(id)).await?;
    if refs.zone.is_some() {
        uow.record(organization_id, events::DEPLOYED.with(&instance).about_instance(id)).await?;
    }
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(instance)))
}
