//! Applies one Clerk event inside the receiver's transaction, to the same rows JIT
//! provisioning writes (`crate::auth::jit`): ids derived from the Clerk ids, the same upserts.
//! Deletions do what the Platform API's deletes do (`crate::modules::platform`) and queue the
//! invalidation of the authentication caches in the same transaction.
//!
//! The statements mirror those two places on purpose: their modules are private to `auth` and
//! `platform`, so they cannot be called from here yet.

use kaiten_kernel::error::is_constraint;
use kaiten_kernel::{Error, external_id};
use sqlx::PgConnection;
use uuid::Uuid;

use super::clerk_events::{ClerkEvent, Membership, OrganizationRef, User};
use crate::auth::invalidation;

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Applied,
    /// Applied, and authentication caches must forget (a deletion that found its row).
    AppliedInvalidating,
    /// An event type that is not applied.
    Ignored,
}

/// The code of a unique violation caused by a concurrent writer of the same row; the whole
/// delivery is retried once, as JIT provisioning does.
pub const RETRY: &str = "ClerkWebhook.Retry";

pub async fn apply(conn: &mut PgConnection, event: &ClerkEvent) -> Result<Effect, Error> {
    let effect = match event {
        ClerkEvent::UserUpserted(user) => {
            upsert_user(conn, user, Existing::Update).await?;
            Effect::Applied
        }
        ClerkEvent::UserDeleted(external) => {
            invalidating(soft_delete_user(conn, external_id::user_id(external)).await?)
        }
        ClerkEvent::OrganizationUpserted(organization) => {
            upsert_organization(conn, organization, Existing::Update).await?;
            Effect::Applied
        }
        ClerkEvent::OrganizationDeleted(external) => {
            invalidating(delete_organization(conn, external_id::organization_id(external)).await?)
        }
        ClerkEvent::MembershipUpserted(Membership { organization, user }) => {
            // Its names are a summary: they create what is missing, never change what exists.
            let organization_id = upsert_organization(conn, organization, Existing::Keep).await?;
            let user_id = upsert_user(conn, user, Existing::Keep).await?;
            restore_membership(conn, organization_id, user_id).await?;
            Effect::Applied
        }
        ClerkEvent::MembershipDeleted(Membership { organization, user }) => {
            let organization_id = external_id::organization_id(&organization.external_id);
            let user_id = external_id::user_id(&user.external_id);
            invalidating(soft_delete_membership(conn, organization_id, user_id).await?)
        }
        ClerkEvent::Other => Effect::Ignored,
    };
    if effect == Effect::AppliedInvalidating {
        invalidation::notify(conn, invalidation::EVERYTHING).await?;
    }
    Ok(effect)
}

/// What an upsert does to a row that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    Update,
    Keep,
}

fn invalidating(found: bool) -> Effect {
    if found { Effect::AppliedInvalidating } else { Effect::Applied }
}

fn retry_on_unique(err: sqlx::Error) -> Error {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::conflict(RETRY, "concurrent change; retry"),
        _ => Error::from(err),
    }
}

/// JIT's organization upsert: created with its name (or its external id); an existing one
/// takes a name that is given and different, unless it is kept.
async fn upsert_organization(
    conn: &mut PgConnection,
    organization: &OrganizationRef,
    existing: Existing,
) -> Result<Uuid, Error> {
    let id = external_id::organization_id(&organization.external_id);
    sqlx::query(
        "INSERT INTO organization (id, external_id, name) VALUES ($1, $2, COALESCE($3, $2))
         ON CONFLICT (external_id) DO UPDATE SET name = COALESCE($3, organization.name)
         WHERE $4 AND $3 IS NOT NULL AND organization.name IS DISTINCT FROM $3",
    )
    .bind(id)
    .bind(&organization.external_id)
    .bind(&organization.name)
    .bind(existing == Existing::Update)
    .execute(conn)
    .await
    .map_err(retry_on_unique)?;
    Ok(id)
}

/// JIT's user upsert: created with its email (or `<id>@jit.internal`) and name (or its
/// external id); an existing one takes the email and name given, unless it is kept. A
/// soft-deleted user stays deleted.
async fn upsert_user(conn: &mut PgConnection, user: &User, existing: Existing) -> Result<Uuid, Error> {
    let id = external_id::user_id(&user.external_id);
    sqlx::query(
        "INSERT INTO users (id, external_id, email, name, type)
         VALUES ($1, $2, COALESCE($3, $2 || '@jit.internal'), COALESCE($4, $2), 'human')
         ON CONFLICT (external_id) DO UPDATE
            SET email = COALESCE($3, users.email), name = COALESCE($4, users.name)
         WHERE $5",
    )
    .bind(id)
    .bind(&user.external_id)
    .bind(&user.email)
    .bind(&user.name)
    .bind(existing == Existing::Update)
    .execute(conn)
    .await
    .map_err(|err| {
        if is_constraint(&err, "users_email_key") {
            // Clerk may deliver the move of an address out of order: a retry can succeed.
            Error::conflict("ClerkWebhook.EmailConflict", "another user already holds this email address")
        } else {
            retry_on_unique(err)
        }
    })?;
    Ok(id)
}

/// Ensures the membership, restoring one that was removed.
async fn restore_membership(conn: &mut PgConnection, organization_id: Uuid, user_id: Uuid) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO membership (organization_id, user_id) VALUES ($1, $2)
         ON CONFLICT (organization_id, user_id) DO UPDATE SET deleted_at = NULL
         WHERE membership.deleted_at IS NOT NULL",
    )
    .bind(organization_id)
    .bind(user_id)
    .execute(conn)
    .await
    .map_err(retry_on_unique)?;
    Ok(())
}

/// `DELETE /platform/users/{id}`: a soft delete. Whether the user exists.
async fn soft_delete_user(conn: &mut PgConnection, user_id: Uuid) -> Result<bool, Error> {
    let found = sqlx::query("UPDATE users SET deleted_at = COALESCE(deleted_at, now()) WHERE id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(found.rows_affected() > 0)
}

/// `DELETE /platform/organizations/{orgId}`: permanent, with everything it owns.
async fn delete_organization(conn: &mut PgConnection, organization_id: Uuid) -> Result<bool, Error> {
    let deleted = sqlx::query("DELETE FROM organization WHERE id = $1").bind(organization_id).execute(conn).await?;
    Ok(deleted.rows_affected() > 0)
}

/// `DELETE /platform/organizations/{orgId}/memberships/{userId}`: a soft delete.
async fn soft_delete_membership(conn: &mut PgConnection, organization_id: Uuid, user_id: Uuid) -> Result<bool, Error> {
    let found = sqlx::query(
        "UPDATE membership SET deleted_at = COALESCE(deleted_at, now()) WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(organization_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(found.rows_affected() > 0)
}
