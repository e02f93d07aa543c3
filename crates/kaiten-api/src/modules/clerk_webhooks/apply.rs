//! Applies one Clerk event inside the receiver's transaction, with the statements of the
//! places that own them: the upserts of JIT provisioning (`crate::auth::jit`), so the rows
//! and their ids derived from the Clerk ids are the same, and the deletes of the Platform API
//! (`crate::modules::platform`), which also queue the invalidation of the authentication
//! caches in the transaction.
//!
//! What differs from those callers is chosen here: a membership event's names only create
//! what is missing and never rename an existing user or organization ([`Existing::Keep`]); a
//! membership is restored rather than refused when it was removed; a deleted user stays
//! deleted and is not refused (JIT refuses it); the error codes are `ClerkWebhook.*`.

use kaiten_kernel::{Error, external_id};
use sqlx::PgConnection;

use super::clerk_events::{ClerkEvent, Membership};
use crate::auth::jit::{self, Existing, UpsertError};
use crate::modules::platform::{memberships, organizations, users};

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Applied,
    /// Applied, and authentication caches must forget (a deletion that found its row; the
    /// NOTIFY of the other replicas is queued in the transaction).
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
            let (email, name) = (user.email.as_deref(), user.name.as_deref());
            jit::upsert_user(conn, &user.external_id, email, name, Existing::Update).await.map_err(clerk_error)?;
            Effect::Applied
        }
        ClerkEvent::UserDeleted(external) => {
            invalidating(users::soft_delete(conn, external_id::user_id(external)).await?)
        }
        ClerkEvent::OrganizationUpserted(organization) => {
            let name = organization.name.as_deref();
            jit::upsert_organization(conn, &organization.external_id, name, Existing::Update)
                .await
                .map_err(clerk_error)?;
            Effect::Applied
        }
        ClerkEvent::OrganizationDeleted(external) => {
            invalidating(organizations::hard_delete(conn, external_id::organization_id(external)).await?)
        }
        ClerkEvent::MembershipUpserted(Membership { organization, user }) => {
            // Its names are a summary: they create what is missing, never change what exists.
            let organization_id =
                jit::upsert_organization(conn, &organization.external_id, organization.name.as_deref(), Existing::Keep)
                    .await
                    .map_err(clerk_error)?;
            let (email, name) = (user.email.as_deref(), user.name.as_deref());
            let user =
                jit::upsert_user(conn, &user.external_id, email, name, Existing::Keep).await.map_err(clerk_error)?;
            jit::restore_membership(conn, organization_id, user.id).await.map_err(clerk_error)?;
            Effect::Applied
        }
        ClerkEvent::MembershipDeleted(Membership { organization, user }) => {
            let organization_id = external_id::organization_id(&organization.external_id);
            let user_id = external_id::user_id(&user.external_id);
            invalidating(memberships::soft_delete(conn, organization_id, user_id).await?)
        }
        ClerkEvent::Other => Effect::Ignored,
    };
    Ok(effect)
}

fn invalidating(found: bool) -> Effect {
    if found { Effect::AppliedInvalidating } else { Effect::Applied }
}

fn clerk_error(err: UpsertError) -> Error {
    match err {
        // Clerk may deliver the move of an address out of order: a retry can succeed.
        UpsertError::EmailTaken => {
            Error::conflict("ClerkWebhook.EmailConflict", "another user already holds this email address")
        }
        UpsertError::Concurrent => Error::conflict(RETRY, "concurrent change; retry"),
        UpsertError::Database(err) => err,
    }
}
