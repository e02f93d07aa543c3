use axum::Json;
use axum::extract::{Path, RawQuery, State};
use kaiten_kernel::{Error, ErrorDetail};
use sqlx::PgPool;

use crate::auth::layer::Caller;
use crate::http::query;
use crate::modules::licenses::families::repository as family;
use crate::modules::licenses::repository::{self, COLUMNS, LicenseRow};
use crate::modules::licenses::schema::{License, LicenseFamilyView};

/// Documentation of the query parameters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct FamilyParams {
    /// Address this version number instead of resolving the current one. Explicit historical
    /// access: the version is returned in currentVersion whatever its lifecycle state, draft and
    /// archived included, and the resolution rule does not apply.
    #[param(explode = false, minimum = 1, format = Int32)]
    version: Option<i32>,
    /// Extra representations to add, comma-separated. Only 'versions' exists today: it adds every
    /// version of the family, oldest first, and makes a family with no PUBLISHED version readable
    /// instead of a 404.
    #[param(explode = false, inline)]
    include: Option<Vec<Include>>,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum Include {
    Versions,
}

/// Get a license family by slug
///
/// Resolves a license family to the version it currently serves, returned as currentVersion: the
/// family's default version if it has one, otherwise its highest-numbered PUBLISHED version.
/// Returns 404 GetLicenseFamily.NoPublishedVersion when the family exists but has no PUBLISHED
/// version. Use ?include=versions to read such a family anyway, and ?version=N for explicit
/// access to one version, including draft and archived ones.
#[utoipa::path(
    get, path = "/license-families/{familySlug}", operation_id = "get-license-family", tag = "license-families",
    params(("familySlug" = String, Path, description = "License family slug", example = "enterprise-license"), FamilyParams),
    responses(
        (status = 200, description = "OK", body = LicenseFamilyView),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
    ),
    security(("bearerAuth" = ["read:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<LicenseFamilyView>, Error> {
    let organization_id = caller.organization_id()?;
    let pin = version_pin(raw.as_deref())?;
    let with_versions = include_versions(raw.as_deref())?;
    let mut conn = pool.acquire().await?;
    let row = family::by_slug(&mut conn, organization_id, &slug)
        .await?
        .ok_or_else(|| Error::not_found("GetLicenseFamily.NotFound", format!("License family \"{slug}\" not found")))?;
    let family_id = row.id;
    let mut view = family::views(&mut conn, organization_id, vec![row]).await?.remove(0);
    if let Some(version) = pin {
        let pinned: Option<LicenseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM license WHERE organization_id = $1 AND family_id = $2 AND version = $3"
        )))
        .bind(organization_id)
        .bind(family_id)
        .bind(version)
        .fetch_optional(&mut *conn)
        .await?;
        let pinned = pinned.ok_or_else(|| {
            Error::not_found(
                "GetLicenseFamily.VersionNotFound",
                format!("License family \"{slug}\" has no version {version}"),
            )
        })?;
        view.current_version = Some(License::from(pinned));
    }
    if with_versions {
        let versions = repository::versions_of(&mut conn, organization_id, family_id).await?;
        view.version_count = i32::try_from(versions.len()).unwrap_or(i32::MAX);
        view.versions = Some(versions);
    } else if view.current_version.is_none() {
        return Err(Error::not_found(
            "GetLicenseFamily.NoPublishedVersion",
            format!(
                "License family \"{slug}\" has no published version ({} version(s), all draft or archived)",
                view.version_count
            ),
        ));
    }
    Ok(Json(view))
}

fn invalid(location: &str, message: &str, value: &str) -> Error {
    Error::unprocessable(
        "validation failed",
        vec![ErrorDetail::new(location, message).with_value(serde_json::Value::String(value.to_owned()))],
    )
}

fn version_pin(raw: Option<&str>) -> Result<Option<i32>, Error> {
    match query::param(raw, "version") {
        None => Ok(None),
        Some(v) => match v.parse::<i32>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(invalid("query.version", "expected integer >= 1", &v)),
        },
    }
}

/// `include` as a comma-separated list (and/or repeated); only `versions` is known.
fn include_versions(raw: Option<&str>) -> Result<bool, Error> {
    let mut versions = false;
    for value in query::all(raw, "include") {
        for item in value.split(',').filter(|i| !i.is_empty()) {
            if item != "versions" {
                return Err(invalid("query.include", "expected value to be one of \"versions\"", item));
            }
            versions = true;
        }
    }
    Ok(versions)
}
