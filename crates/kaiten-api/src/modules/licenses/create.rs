use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaiten_kernel::{Error, Uow, slug};
use sqlx::PgConnection;
use sqlx::PgPool;
use uuid::Uuid;

use super::families::repository::{self as family, FamilyRow, Served};
use super::schema::{License, LicenseInput, LifecycleState};
use super::{events, repository};
use crate::auth::layer::Caller;
use crate::http::ValidJson;

/// Create a new license
///
/// Create a new license with the provided details. Without familySlug or familyId this creates
/// a new license family and the license becomes its version 1. With one of them it adds the next
/// version to that family (sent together they must agree), and the version number is assigned by
/// the server as the next one in the family's sequence. The version starts PUBLISHED, or DRAFT
/// when lifecycleState says so; ARCHIVED is refused (422 CreateLicense.LifecycleStateNotSettable).
#[utoipa::path(
    post, path = "/licenses", operation_id = "create-license", tag = "licenses",
    request_body = License,
    responses(
        (status = 201, description = "Created", body = License),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
        (status = 503, description = "Service Unavailable"),
    ),
    security(("bearerAuth" = ["write:licenses"]))
)]
pub async fn endpoint(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    ValidJson(input): ValidJson<LicenseInput>,
) -> Result<(StatusCode, Json<License>), Error> {
    let organization_id = caller.organization_id()?;
    if input.version.as_deref().is_some_and(|v| !v.is_empty()) {
        return Err(Error::unprocessable_rule(
            "CreateLicense.VersionNotSettable",
            "version is assigned by the server; leave it out",
        ));
    }
    let lifecycle = match input.lifecycle_state {
        Some(LifecycleState::Archived) => {
            return Err(Error::unprocessable_rule(
                "CreateLicense.LifecycleStateNotSettable",
                "a version is created DRAFT or PUBLISHED; it is archived with archive-license once it has been on sale",
            ));
        }
        Some(state) => state,
        None => LifecycleState::Published,
    };
    if input.is_default && lifecycle != LifecycleState::Published {
        return Err(default_must_be_published());
    }
    let mut uow = Uow::begin(&pool).await?;
    let license = match existing_family(uow.conn(), organization_id, &input).await? {
        Some(family) => add_version(&mut uow, organization_id, &family, &input, lifecycle).await?,
        None => open_family(&mut uow, organization_id, &input, lifecycle).await?,
    };
    uow.commit().await?;
    Ok((StatusCode::CREATED, Json(license)))
}

fn default_must_be_published() -> Error {
    Error::conflict("CreateLicense.DefaultMustBePublished", "only a PUBLISHED version can be its family's default")
}

fn slug_conflict(slug: &str) -> Error {
    Error::conflict("CreateLicense.SlugConflict", format!("License with slug \"{slug}\" already exists"))
}

/// The family named by `familyId` and/or `familySlug`, locked; `None` when neither is sent.
async fn existing_family(
    conn: &mut PgConnection,
    organization_id: Uuid,
    input: &LicenseInput,
) -> Result<Option<FamilyRow>, Error> {
    let not_found =
        |what: String| Error::not_found("CreateLicense.FamilyNotFound", format!("License family {what} not found"));
    let family = match (&input.family_id, &input.family_slug) {
        (Some(id), slug) => {
            let family = match Uuid::parse_str(id) {
                Ok(id) => family::lock_by_id(conn, organization_id, id).await?,
                Err(_) => None,
            };
            let family = family.ok_or_else(|| not_found(format!("with id {id}")))?;
            if slug.as_deref().is_some_and(|s| s != family.slug) {
                return Err(Error::unprocessable_rule(
                    "CreateLicense.FamilyMismatch",
                    "familyId and familySlug name different families",
                ));
            }
            family
        }
        (None, Some(slug)) => {
            family::lock_by_slug(conn, organization_id, slug).await?.ok_or_else(|| not_found(format!("\"{slug}\"")))?
        }
        (None, None) => return Ok(None),
    };
    Ok(Some(family))
}

/// `{family}-v{n}`, the family part trimmed so the whole fits the slug length.
fn version_slug(family_slug: &str, version: i32) -> String {
    let suffix = format!("-v{version}");
    let room = slug::MAX_LEN.saturating_sub(suffix.len());
    let base: String = family_slug.chars().take(room).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

async fn add_version(
    uow: &mut Uow,
    organization_id: Uuid,
    family: &FamilyRow,
    input: &LicenseInput,
    lifecycle: LifecycleState,
) -> Result<License, Error> {
    let served = Served::before(uow.conn(), organization_id, family.id).await?;
    let version = family::next_version(uow.conn(), organization_id, family.id).await?;
    if input.is_default {
        family::take_default(uow, organization_id, family.id, None).await?;
    }
    // An own slug is tried alone; otherwise the derived one, then generated ones should a
    // license outside the family already hold it.
    let derived = version_slug(&family.slug, version);
    let candidates: Vec<String> = match &input.slug {
        Some(own) => vec![own.clone()],
        None => std::iter::once(derived).chain(slug::candidates(None, &input.name)).collect(),
    };
    let mut id = None;
    for candidate in &candidates {
        id = insert_version(uow.conn(), organization_id, family.id, candidate, version, input, lifecycle).await?;
        if id.is_some() {
            break;
        }
    }
    let id = id.ok_or_else(|| slug_conflict(&candidates[0]))?;
    let license = repository::by_id(uow.conn(), organization_id, id).await?;
    uow.record(organization_id, events::CREATED.with(&license)).await?;
    served.settle(uow, organization_id).await?;
    Ok(license)
}

/// A new product: the family takes the slug of its first version.
async fn open_family(
    uow: &mut Uow,
    organization_id: Uuid,
    input: &LicenseInput,
    lifecycle: LifecycleState,
) -> Result<License, Error> {
    let mut last_tried = String::new();
    for candidate in slug::candidates(input.slug.as_deref(), &input.name) {
        let family_id: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO license_family (organization_id, slug)
             SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM license WHERE organization_id = $1 AND slug = $2)
             ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
        )
        .bind(organization_id)
        .bind(&candidate)
        .fetch_optional(uow.conn())
        .await?;
        last_tried = candidate;
        let Some(family_id) = family_id else { continue };
        let version = family::next_version(uow.conn(), organization_id, family_id).await?;
        let inserted =
            insert_version(uow.conn(), organization_id, family_id, &last_tried, version, input, lifecycle).await?;
        let Some(id) = inserted else {
            // A license took the slug since the check: give the family back and try another.
            kaiten_kernel::scoped::delete(uow.conn(), "license_family", organization_id, family_id).await?;
            continue;
        };
        let view = family::view(uow.conn(), organization_id, family_id).await?;
        uow.record(organization_id, events::FAMILY_CREATED.with(&view)).await?;
        let license = repository::by_id(uow.conn(), organization_id, id).await?;
        uow.record(organization_id, events::CREATED.with(&license)).await?;
        return Ok(license);
    }
    Err(slug_conflict(&last_tried))
}

/// Inserts the version; `None` when its slug is taken.
async fn insert_version(
    conn: &mut PgConnection,
    organization_id: Uuid,
    family_id: Uuid,
    slug: &str,
    version: i32,
    input: &LicenseInput,
    lifecycle: LifecycleState,
) -> Result<Option<Uuid>, Error> {
    let version_name = input.version_name.clone().unwrap_or_else(|| format!("Version - {version}"));
    Ok(sqlx::query_scalar(
        "INSERT INTO license (organization_id, family_id, name, slug, description, type, version, version_name,
                              is_default, lifecycle_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id",
    )
    .bind(organization_id)
    .bind(family_id)
    .bind(&input.name)
    .bind(slug)
    .bind(&input.description)
    .bind(input.r#type)
    .bind(version)
    .bind(version_name)
    .bind(input.is_default)
    .bind(lifecycle)
    .fetch_optional(conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use kaiten_kernel::slug;
    use proptest::prelude::*;

    use super::version_slug;

    proptest! {
        #[test]
        fn a_version_slug_is_always_a_valid_slug_naming_its_version(
            family in "[a-z0-9][a-z0-9-]{0,98}[a-z0-9]",
            version in 1..i32::MAX,
        ) {
            let s = version_slug(&family, version);
            prop_assert!(slug::is_valid(&s), "{}", s);
            let suffix = format!("-v{version}");
            prop_assert!(s.ends_with(&suffix));
            prop_assert!(family.starts_with(s.trim_end_matches(&suffix)));
        }
    }

    #[test]
    fn version_slugs_fit_the_slug_length() {
        assert_eq!(version_slug("growth", 3), "growth-v3");
        let long = "a".repeat(99) + "-b";
        let s = version_slug(&long, 12);
        assert_eq!(s.len(), 100);
        assert!(s.ends_with("-v12"));
        let dashed = "a".repeat(96) + "-bcd";
        assert_eq!(version_slug(&dashed, 7), "a".repeat(96) + "-v7");
    }
}
