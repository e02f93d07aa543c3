//! Just-in-time provisioning: the first valid JWT of an unknown user or organization creates
//! the organization, the user and the membership, with the original's deterministic ids.
//! Upserts make concurrent first requests converge on exactly one row of each.
//!
//! The upserts are also those of the Clerk webhook (`crate::modules::clerk_webhooks`), which writes
//! the same rows: each takes the caller's transaction, and leaves the naming of its errors to
//! the caller ([`UpsertError`]).

use kaiten_kernel::{Error, Uow, external_id};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::jwt::Claims;

/// The internal ids behind a JWT identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provisioned {
    pub user_id: Uuid,
    pub organization_id: Uuid,
}

/// The code of a unique violation caused by a concurrent provisioning.
const RETRY: &str = "JIT.Retry";

pub async fn provision(pool: &PgPool, claims: &Claims) -> Result<Provisioned, Error> {
    // A concurrent insert can surface as a unique violation instead of the upsert's conflict
    // path; the second attempt then finds the rows.
    match try_provision(pool, claims).await {
        Err(err) if err.code() == RETRY => try_provision(pool, claims).await,
        other => other,
    }
}

async fn try_provision(pool: &PgPool, claims: &Claims) -> Result<Provisioned, Error> {
    let mut uow = Uow::begin(pool).await?;
    let organization_id =
        upsert_organization(uow.conn(), &claims.external_org_id, claims.org_name.as_deref(), Existing::Update)
            .await
            .map_err(jit_error)?;
    let user =
        upsert_user(uow.conn(), &claims.subject, claims.email.as_deref(), claims.name.as_deref(), Existing::Update)
            .await
            .map_err(jit_error)?;
    if user.deleted == Some(true) {
        return Err(Error::forbidden("Auth.UserDeleted", "this user has been deleted"));
    }
    if ensure_membership(uow.conn(), organization_id, user.id).await.map_err(jit_error)? {
        return Err(Error::forbidden("Auth.MembershipDeleted", "User has been removed from the organization"));
    }
    uow.commit().await?;
    Ok(Provisioned { user_id: user.id, organization_id })
}

fn jit_error(err: UpsertError) -> Error {
    match err {
        UpsertError::EmailTaken => {
            Error::conflict("Auth.EmailAlreadyProvisioned", "another user already holds this email address")
        }
        UpsertError::Concurrent => Error::conflict(RETRY, "concurrent provisioning"),
        UpsertError::Database(err) => err,
    }
}

/// Why an upsert failed; each caller names it with its own error codes.
#[derive(Debug)]
pub(crate) enum UpsertError {
    /// Another user already holds the email address (`users_email_key`).
    EmailTaken,
    /// A unique violation caused by a concurrent writer of the same row: retrying the whole
    /// transaction finds the row.
    Concurrent,
    Database(Error),
}

impl From<sqlx::Error> for UpsertError {
    fn from(err: sqlx::Error) -> Self {
        let err = Error::from(err);
        match err.violated_constraint() {
            Some("users_email_key") => Self::EmailTaken,
            Some(_) => Self::Concurrent,
            None => Self::Database(err),
        }
    }
}

/// What an upsert does to a row that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// It takes the values given.
    Update,
    /// It is left as it is.
    Keep,
}

/// The organization of an external id: created with its name (or its external id); an
/// existing one takes a name that is given and different, unless it is kept. Its id.
pub(crate) async fn upsert_organization(
    conn: &mut PgConnection,
    external: &str,
    name: Option<&str>,
    existing: Existing,
) -> Result<Uuid, UpsertError> {
    let id = external_id::organization_id(external);
    sqlx::query(
        "INSERT INTO organization (id, external_id, name) VALUES ($1, $2, COALESCE($3, $2))
         ON CONFLICT (external_id) DO UPDATE SET name = COALESCE($3, organization.name)
         WHERE $4 AND $3 IS NOT NULL AND organization.name IS DISTINCT FROM $3",
    )
    .bind(id)
    .bind(external)
    .bind(name)
    .bind(existing == Existing::Update)
    .execute(conn)
    .await?;
    Ok(id)
}

/// What a user upsert wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UpsertedUser {
    pub id: Uuid,
    /// Whether the user is soft-deleted; `None` when an existing user was kept (and not read).
    pub deleted: Option<bool>,
}

/// The human user of an external id: created with its email (or `<external id>@jit.internal`)
/// and name (or its external id); an existing one takes the email and name given, unless it is
/// kept. A soft-deleted user stays deleted.
pub(crate) async fn upsert_user(
    conn: &mut PgConnection,
    external: &str,
    email: Option<&str>,
    name: Option<&str>,
    existing: Existing,
) -> Result<UpsertedUser, UpsertError> {
    let id = external_id::user_id(external);
    let deleted: Option<bool> = sqlx::query_scalar(
        "INSERT INTO users (id, external_id, email, name, type)
         VALUES ($1, $2, COALESCE($3, $2 || '@jit.internal'), COALESCE($4, $2), 'human')
         ON CONFLICT (external_id) DO UPDATE
            SET email = COALESCE($3, users.email), name = COALESCE($4, users.name)
         WHERE $5
         RETURNING deleted_at IS NOT NULL",
    )
    .bind(id)
    .bind(external)
    .bind(email)
    .bind(name)
    .bind(existing == Existing::Update)
    .fetch_optional(conn)
    .await?;
    Ok(UpsertedUser { id, deleted })
}

/// Ensures the membership, leaving one that was removed removed: whether it was.
pub(crate) async fn ensure_membership(
    conn: &mut PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<bool, UpsertError> {
    let removed = sqlx::query_scalar(
        "WITH inserted AS (
             INSERT INTO membership (organization_id, user_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING RETURNING deleted_at
         )
         SELECT COALESCE((SELECT deleted_at IS NOT NULL FROM inserted),
                         (SELECT deleted_at IS NOT NULL FROM membership WHERE organization_id = $1 AND user_id = $2),
                         false)",
    )
    .bind(organization_id)
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    Ok(removed)
}

/// Ensures the membership, restoring one that was removed.
pub(crate) async fn restore_membership(
    conn: &mut PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<(), UpsertError> {
    sqlx::query(
        "INSERT INTO membership (organization_id, user_id) VALUES ($1, $2)
         ON CONFLICT (organization_id, user_id) DO UPDATE SET deleted_at = NULL
         WHERE membership.deleted_at IS NOT NULL",
    )
    .bind(organization_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}
