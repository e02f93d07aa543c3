//! An instance resolved through one of its links: `adapter` + the record's external id. Its
//! customer is named the same way, by the customer's external id in the same adapter.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::external::{self, ExternalKey, LinkPatch, UPSERT};
use super::schema::{InstanceBody, InstanceIntegrationResource};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::customers::schema::IntegrationInput;
use crate::modules::instances::repository;
use crate::modules::instances::schema::{Instance, InstanceInput};
use crate::modules::integrations::{self, Owner, Stored};

/// Get an instance by integration external ID
///
/// Resolve an instance through one of its integrations using adapter + external ID.
#[utoipa::path(
    get, path = "/integration/{adapter}/instance/{externalId}", operation_id = "get-instance-integration-by-external-id",
    tags = ["integrations", "instances"],
    params(
        ("adapter" = String, Path, description = "Integration adapter without the kaiten.integration. prefix", example = "crm.attio"),
        ("externalId" = String, Path, description = "External identifier in the third-party system", example = "rec_12345"),
    ),
    responses((status = 200, description = "OK", body = InstanceIntegrationResource), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:instances"]))
)]
pub async fn get(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((adapter, external_id)): Path<(String, String)>,
) -> Result<Json<InstanceIntegrationResource>, Error> {
    let organization_id = caller.organization_id()?;
    let key = ExternalKey::parse(&adapter, &external_id)?;
    let mut conn = pool.acquire().await?;
    let link = key.linked(&mut conn, Owner::Instance, organization_id).await?;
    let instance = repository::by_id(&mut conn, organization_id, link.owner_id).await?;
    Ok(Json(resource(&mut conn, organization_id, instance, link).await?))
}

/// Upsert an instance by integration external ID
///
/// Create or partially update an instance resolved through adapter + external ID. Missing fields are left unchanged.
#[utoipa::path(
    patch, path = "/integration/{adapter}/instance/{externalId}", operation_id = "upsert-instance-integration-by-external-id",
    tags = ["integrations", "instances"],
    params(
        ("adapter" = String, Path, description = "Integration adapter without the kaiten.integration. prefix", example = "crm.attio"),
        ("externalId" = String, Path, description = "External identifier in the third-party system", example = "rec_12345"),
    ),
    request_body = InstanceBody,
    responses(
        (status = 200, description = "OK", body = InstanceIntegrationResource),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:instances"]))
)]
pub async fn upsert(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((adapter, external_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<InstanceBody>,
) -> Result<Json<InstanceIntegrationResource>, Error> {
    let organization_id = caller.organization_id()?;
    let key = ExternalKey::parse(&adapter, &external_id)?;
    let patch = LinkPatch::new(body.integration_metadata.as_ref(), body.error.as_deref(), body.web_url.as_deref())?;
    let mut uow = Uow::begin(&pool).await?;
    let found = key.find(uow.conn(), Owner::Instance, organization_id, true).await?;
    let instance = match found {
        None => {
            let link = patch.new_link(&key.external_id);
            create(&mut uow, organization_id, caller.user_id, &key.adapter, &body, link).await?
        }
        Some(current) => update(&mut uow, organization_id, caller.user_id, &body, &patch, &current).await?,
    };
    let link = key.of(uow.conn(), Owner::Instance, organization_id, instance.id).await?;
    let resource = resource(uow.conn(), organization_id, instance, link).await?;
    uow.commit().await?;
    Ok(Json(resource))
}

/// The customer linked to `external_id` in `adapter`; `UpsertIntegration.CustomerNotFound`
/// when there is none in the organization.
async fn customer(
    conn: &mut PgConnection,
    organization_id: Uuid,
    adapter: &str,
    external_id: &str,
) -> Result<Uuid, Error> {
    let link =
        integrations::by_external_id(conn, Owner::Customer, organization_id, (adapter, external_id), false).await?;
    link.map(|l| l.owner_id).ok_or_else(|| {
        Error::not_found(
            format!("{UPSERT}.CustomerNotFound"),
            format!("no customer is linked to {adapter} record {external_id}"),
        )
    })
}

async fn create(
    uow: &mut Uow,
    organization_id: Uuid,
    user_id: Uuid,
    adapter: &str,
    body: &InstanceBody,
    link: IntegrationInput,
) -> Result<Instance, Error> {
    let required = |value: Option<&str>, what: &str, field: &str| {
        external::required(value, &format!("{what}Required"), &format!("{field} is required to create an instance"))
            .map(str::to_owned)
    };
    let name = required(body.name.as_deref(), "InstanceName", "name")?;
    let description = required(body.description.as_deref(), "InstanceDescription", "description")?;
    let customer_external_id =
        required(body.customer_external_id.as_deref(), "CustomerExternalID", "customerExternalId")?;
    let license_id = required(body.license_id.as_deref(), "LicenseID", "licenseId")?;
    let dates = |value: Option<_>, what: &str, field: &str| {
        value.ok_or_else(|| {
            Error::bad_request(format!("{UPSERT}.{what}Required"), format!("{field} is required to create an instance"))
        })
    };
    let start_license_date = dates(body.start_license_date, "StartLicenseDate", "startLicenseDate")?;
    let end_license_date = dates(body.end_license_date, "EndLicenseDate", "endLicenseDate")?;
    let customer_id = customer(uow.conn(), organization_id, adapter, &customer_external_id).await?;
    let input = InstanceInput {
        name,
        slug: body.slug.clone(),
        description,
        customer_id: customer_id.to_string(),
        license_id,
        deployment_zone_id: body.deployment_zone_id.clone(),
        start_license_date,
        end_license_date,
        metadata: body.metadata.clone(),
        integrations: None,
    };
    let links = BTreeMap::from([(adapter.to_owned(), link)]);
    let conflict = "UpsertIntegration.ExternalIDConflict";
    repository::create(uow, organization_id, user_id, &input, &links, (UPSERT, conflict)).await
}

/// The partial update of a linked instance, through the instance update (and its events) when
/// the instance itself changes.
async fn update(
    uow: &mut Uow,
    organization_id: Uuid,
    user_id: Uuid,
    body: &InstanceBody,
    patch: &LinkPatch,
    link: &Stored,
) -> Result<Instance, Error> {
    let code = "UpsertIntegration.InstanceNotFound";
    let current = repository::row_by_id(uow.conn(), organization_id, link.owner_id, code, RowLock::Update).await?;
    let name = match body.name.as_deref() {
        Some(name) => external::required(Some(name), "InstanceNameRequired", "name must not be empty")?.to_owned(),
        None => current.name.clone(),
    };
    let customer_id = match body.customer_external_id.as_deref() {
        Some(id) => {
            let id =
                external::required(Some(id), "CustomerExternalIDRequired", "customerExternalId must not be empty")?;
            customer(uow.conn(), organization_id, &link.adapter, id).await?
        }
        None => current.customer_id,
    };
    let input = InstanceInput {
        name,
        slug: Some(body.slug.clone().unwrap_or_else(|| current.slug.clone())),
        description: body.description.clone().unwrap_or_else(|| current.description.clone()),
        customer_id: customer_id.to_string(),
        license_id: body.license_id.clone().unwrap_or_else(|| current.license_id.to_string()),
        deployment_zone_id: body.deployment_zone_id.clone(),
        start_license_date: body.start_license_date.unwrap_or(current.start_license_date),
        end_license_date: body.end_license_date.unwrap_or(current.end_license_date),
        metadata: Some(body.metadata.clone().unwrap_or_else(|| current.metadata.clone())),
        integrations: None,
    };
    let changed = input.name != current.name
        || input.slug.as_deref() != Some(current.slug.as_str())
        || input.description != current.description
        || customer_id != current.customer_id
        || input.license_id != current.license_id.to_string()
        || input
            .deployment_zone_id
            .as_ref()
            .is_some_and(|z| Some(z.as_str()) != current.deployment_zone_id.map(|id| id.to_string()).as_deref())
        || input.start_license_date != current.start_license_date
        || input.end_license_date != current.end_license_date
        || input.metadata.as_ref() != Some(&current.metadata);
    if changed {
        repository::update(uow, organization_id, user_id, &current, &input, UPSERT).await?;
    }
    let (relinked, link_changed) = patch.over(link);
    if link_changed {
        let adapter = link.adapter.as_str();
        integrations::relink(uow.conn(), Owner::Instance, organization_id, current.id, adapter, &relinked, UPSERT)
            .await?;
    }
    repository::by_id(uow.conn(), organization_id, current.id).await
}

async fn resource(
    conn: &mut PgConnection,
    organization_id: Uuid,
    instance: Instance,
    link: Stored,
) -> Result<InstanceIntegrationResource, Error> {
    let customer_link =
        integrations::one(conn, Owner::Customer, organization_id, instance.customer_id, &link.adapter).await?;
    Ok(InstanceIntegrationResource {
        customer_external_id: customer_link.map(|l| l.external_id),
        deployment_zone_id: instance.deployment_zone_id,
        description: instance.description,
        end_license_date: instance.end_license_date,
        error: link.last_error,
        integration_metadata: link.metadata,
        license_id: instance.license_id,
        name: instance.name,
        slug: instance.slug,
        start_license_date: instance.start_license_date,
        web_url: link.web_url,
    })
}
