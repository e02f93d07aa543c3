//! Publish, archive and unarchive: the only ways a version's lifecycle state moves
//! (DRAFT → PUBLISHED → ARCHIVED → PUBLISHED; never back to DRAFT).

use axum::Json;
use axum::extract::{Path, State};
use kaiten_kernel::event::EventKind;
use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::PgPool;

use super::events;
use super::families::repository::{self as family, Served};
use super::repository;
use super::schema::{License, LifecycleState};
use crate::auth::layer::Caller;

struct Move {
    not_found: &'static str,
    from: LifecycleState,
    to: LifecycleState,
    wrong_state_code: &'static str,
    event: EventKind,
}

const PUBLISH: Move = Move {
    not_found: "PublishLicense.NotFound",
    from: LifecycleState::Draft,
    to: LifecycleState::Published,
    wrong_state_code: "PublishLicense.NotADraft",
    event: events::PUBLISHED,
};

const ARCHIVE: Move = Move {
    not_found: "ArchiveLicense.NotFound",
    from: LifecycleState::Published,
    to: LifecycleState::Archived,
    wrong_state_code: "ArchiveLicense.NotPublished",
    event: events::ARCHIVED,
};

const UNARCHIVE: Move = Move {
    not_found: "UnarchiveLicense.NotFound",
    from: LifecycleState::Archived,
    to: LifecycleState::Published,
    wrong_state_code: "UnarchiveLicense.NotArchived",
    event: events::UNARCHIVED,
};

/// Why a version in `state` cannot make the move, in words that say what to do instead.
fn refusal(m: &Move, slug: &str, state: LifecycleState) -> String {
    use LifecycleState::{Archived, Draft, Published};
    let hint = match (m.to, state) {
        (Published, Archived) if m.from == Draft => "is archived; unarchive it to put it back on sale",
        (Published, _) if m.from == Draft => "is already published",
        (Archived, Draft) => "is a draft and was never on sale; delete it instead",
        (Archived, _) => "is already archived",
        (_, Draft) => "is a draft; publish it instead",
        _ => "is not archived",
    };
    format!("License \"{slug}\" {hint}")
}

async fn transition(pool: PgPool, caller: kaiten_kernel::Principal, slug: String, m: &Move) -> Result<License, Error> {
    let organization_id = caller.organization_id()?;
    let mut uow = Uow::begin(&pool).await?;
    let (family, version) =
        family::lock_version(uow.conn(), organization_id, &slug, m.not_found, RowLock::Update).await?;
    if version.lifecycle_state != m.from {
        return Err(Error::conflict(m.wrong_state_code, refusal(m, &slug, version.lifecycle_state)));
    }
    if m.to != LifecycleState::Published && version.is_default {
        return Err(Error::conflict(
            "ArchiveLicense.DefaultMustBePublished",
            format!("License \"{slug}\" is its family's default; make another version the default, or unset it, first"),
        ));
    }
    let served = Served::before(uow.conn(), organization_id, family.id).await?;
    sqlx::query("UPDATE license SET lifecycle_state = $3, updated_at = now() WHERE organization_id = $1 AND id = $2")
        .bind(organization_id)
        .bind(version.id)
        .bind(m.to)
        .execute(uow.conn())
        .await?;
    let moved = repository::by_id(uow.conn(), organization_id, version.id).await?;
    uow.record(organization_id, m.event.with(&moved)).await?;
    served.settle(&mut uow, organization_id).await?;
    uow.commit().await?;
    Ok(moved)
}

/// Publish a license version
///
/// Puts a DRAFT license version on sale: it becomes PUBLISHED, so it can be made its family's
/// default, and its family resolves to it when the family has no default and this is its highest
/// published version. Only a draft can be published (409 PublishLicense.NotADraft); an archived
/// version goes back on sale with unarchive-license. Emits LICENSE_PUBLISHED.
#[utoipa::path(
    post, path = "/licenses/{licenseSlug}/publish", operation_id = "publish-license", tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License version slug", example = "enterprise-license-v2")),
    responses(
        (status = 200, description = "OK", body = License),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:licenses"]))
)]
pub async fn publish(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<License>, Error> {
    transition(pool, caller, slug, &PUBLISH).await.map(Json)
}

/// Archive a license version
///
/// Withdraws a PUBLISHED license version from sale: its family stops resolving to it and no
/// instance can be assigned to it any more, while instances already on it keep it. Only a
/// published version can be archived (409 ArchiveLicense.NotPublished) -- a draft that was never
/// on sale is deleted instead -- and not while it is its family's default (409
/// ArchiveLicense.DefaultMustBePublished). Emits LICENSE_ARCHIVED.
#[utoipa::path(
    post, path = "/licenses/{licenseSlug}/archive", operation_id = "archive-license", tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License version slug", example = "enterprise-license-v2")),
    responses(
        (status = 200, description = "OK", body = License),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:licenses"]))
)]
pub async fn archive(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<License>, Error> {
    transition(pool, caller, slug, &ARCHIVE).await.map(Json)
}

/// Unarchive a license version
///
/// Puts an ARCHIVED license version back on sale: it is PUBLISHED again, can be assigned to
/// instances, and can be what its family resolves to. Only an archived version can be unarchived
/// (409 UnarchiveLicense.NotArchived). Emits LICENSE_UNARCHIVED.
#[utoipa::path(
    post, path = "/licenses/{licenseSlug}/unarchive", operation_id = "unarchive-license", tag = "licenses",
    params(("licenseSlug" = String, Path, description = "License version slug", example = "enterprise-license-v2")),
    responses(
        (status = 200, description = "OK", body = License),
        (status = 400, description = "Bad Request"),
        (status = 404, description = "Not Found"),
        (status = 409, description = "Conflict"),
    ),
    security(("bearerAuth" = ["write:licenses"]))
)]
pub async fn unarchive(
    State(pool): State<PgPool>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<License>, Error> {
    transition(pool, caller, slug, &UNARCHIVE).await.map(Json)
}
