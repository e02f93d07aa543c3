use axum::Json;
use axum::extract::State;
use kaiten_kernel::{Error, Page};
use sqlx::PgPool;

use super::repository;
use super::schema::{DeploymentZone, PageDeploymentZone};
use crate::auth::layer::Caller;
use crate::http::PageQuery;
use crate::http::page_query::PageParams;

/// List deployment zones
///
/// Returns a cursor-paginated page of deployment zones for the current organization. A deployment zone is one place a customer runs a release -- a target they name and classify themselves, holding the release currently on it. It is not an installation of Kaiten; that sense of the term belongs to operations and is not reachable through this API.
#[utoipa::path(
    get, path = "/deployment-zones", operation_id = "list-deployment-zones", tag = "deploymentZones",
    params(PageParams),
    responses((status = 200, description = "OK", body = PageDeploymentZone), (status = 400, description = "Bad Request")),
    security(("bearerAuth" = ["read:deployment_zones"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    PageQuery(page): PageQuery,
) -> Result<Json<Page<DeploymentZone>>, Error> {
    let mut conn = pool.acquire().await?;
    let rows = repository::page(&mut conn, caller.organization_id()?, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, repository::cursor)))
}
