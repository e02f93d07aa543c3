//! A customer resolved through one of its links: `adapter` + the record's external id.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::{Error, Uow};
use sqlx::PgPool;
use uuid::Uuid;

use super::external::{self, ExternalKey, LinkPatch, UPSERT};
use super::schema::{CustomerBody, CustomerIntegrationResource};
use crate::auth::layer::Caller;
use crate::http::ValidJson;
use crate::modules::customers::repository;
use crate::modules::customers::schema::{Customer, CustomerInput};
use crate::modules::integrations::{self, Owner, Stored};

/// Get a customer by integration external ID
///
/// Resolve a customer through one of its integrations using adapter + external ID.
#[utoipa::path(
    get, path = "/integration/{adapter}/customer/{externalId}", operation_id = "get-customer-integration-by-external-id",
    tags = ["integrations", "customers"],
    params(
        ("adapter" = String, Path, description = "Integration adapter without the kaiten.integration. prefix", example = "crm.attio"),
        ("externalId" = String, Path, description = "External identifier in the third-party system", example = "rec_12345"),
    ),
    responses((status = 200, description = "OK", body = CustomerIntegrationResource), (status = 404, description = "Not Found")),
    security(("bearerAuth" = ["read:customers"]))
)]
pub async fn get(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((adapter, external_id)): Path<(String, String)>,
) -> Result<Json<CustomerIntegrationResource>, Error> {
    let organization_id = caller.organization_id()?;
    let key = ExternalKey::parse(&adapter, &external_id)?;
    let mut conn = pool.acquire().await?;
    let link = key.linked(&mut conn, Owner::Customer, organization_id).await?;
    let customer = repository::find_by_id(&mut conn, organization_id, link.owner_id).await?;
    Ok(Json(resource(customer, link)))
}

/// Upsert a customer by integration external ID
///
/// Create or partially update a customer resolved through adapter + external ID. Missing fields are left unchanged.
#[utoipa::path(
    patch, path = "/integration/{adapter}/customer/{externalId}", operation_id = "upsert-customer-integration-by-external-id",
    tags = ["integrations", "customers"],
    params(
        ("adapter" = String, Path, description = "Integration adapter without the kaiten.integration. prefix", example = "crm.attio"),
        ("externalId" = String, Path, description = "External identifier in the third-party system", example = "rec_12345"),
    ),
    request_body = CustomerBody,
    responses(
        (status = 200, description = "OK", body = CustomerIntegrationResource),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:customers"]))
)]
pub async fn upsert(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path((adapter, external_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<CustomerBody>,
) -> Result<Json<CustomerIntegrationResource>, Error> {
    let organization_id = caller.organization_id()?;
    let key = ExternalKey::parse(&adapter, &external_id)?;
    let patch = LinkPatch::new(body.integration_metadata.as_ref(), body.error.as_deref(), body.web_url.as_deref())?;
    let mut uow = Uow::begin(&pool).await?;
    let found = key.find(uow.conn(), Owner::Customer, organization_id, true).await?;
    let customer = match found {
        None => {
            let name = external::required(
                body.name.as_deref(),
                "CustomerNameRequired",
                "name is required to create a customer through an integration",
            )?;
            let input = CustomerInput {
                name: name.to_owned(),
                slug: body.slug.clone(),
                domain: body.domain.clone(),
                external_customer_id: None,
                integrations: Some(BTreeMap::from([(key.adapter.clone(), patch.new_link(&key.external_id))])),
            };
            let id = repository::insert(uow.conn(), organization_id, caller.user_id, &input, UPSERT).await?;
            let links = input.integrations.unwrap_or_default();
            let conflict = "UpsertIntegration.ExternalIDConflict";
            integrations::insert(uow.conn(), Owner::Customer, organization_id, id, &links, conflict).await?;
            let customer = repository::find_by_id(uow.conn(), organization_id, id).await?;
            repository::record_created(&mut uow, organization_id, &customer).await?;
            customer
        }
        Some(current) => update(&mut uow, organization_id, caller.user_id, &body, &patch, &current).await?,
    };
    let link = key.of(uow.conn(), Owner::Customer, organization_id, customer.id).await?;
    uow.commit().await?;
    Ok(Json(resource(customer, link)))
}

/// The partial update of a linked customer: `CUSTOMER_UPDATED` when the customer itself changes.
async fn update(
    uow: &mut Uow,
    organization_id: Uuid,
    user_id: Uuid,
    body: &CustomerBody,
    patch: &LinkPatch,
    link: &Stored,
) -> Result<Customer, Error> {
    let current = repository::find_by_id(uow.conn(), organization_id, link.owner_id).await?;
    let name = match body.name.as_deref() {
        Some(name) => external::required(Some(name), "CustomerNameRequired", "name must not be empty")?,
        None => current.name.as_str(),
    };
    let slug = body.slug.as_deref().unwrap_or(&current.slug);
    let domain = body.domain.as_deref().or(current.domain.as_deref());
    let changed = name != current.name || slug != current.slug || domain != current.domain.as_deref();
    if changed {
        let change =
            repository::Change { name, slug, domain, external_customer_id: current.external_customer_id.as_deref() };
        repository::update(uow.conn(), organization_id, current.id, user_id, change, UPSERT).await?;
    }
    let (relinked, link_changed) = patch.over(link);
    if link_changed {
        let adapter = link.adapter.as_str();
        integrations::relink(uow.conn(), Owner::Customer, organization_id, current.id, adapter, &relinked, UPSERT)
            .await?;
    }
    if !changed && !link_changed {
        return Ok(current);
    }
    let updated = repository::find_by_id(uow.conn(), organization_id, current.id).await?;
    if changed {
        repository::record_updated(uow, organization_id, &updated).await?;
    }
    Ok(updated)
}

fn resource(customer: Customer, link: Stored) -> CustomerIntegrationResource {
    CustomerIntegrationResource {
        domain: customer.domain,
        error: link.last_error,
        integration_metadata: link.metadata,
        name: customer.name,
        slug: customer.slug,
        web_url: link.web_url,
    }
}
