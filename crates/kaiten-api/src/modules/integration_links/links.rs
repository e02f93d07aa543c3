//! The single-link operations, the same for both owners: find the owner by slug in the
//! caller's organization, then read, create, replace or remove its link to one adapter.

use kaiten_kernel::{Error, RowLock, Uow};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::auth::layer::Caller;
use crate::modules::customers::schema::IntegrationInput;
use crate::modules::integrations::{self, Owner, Stored};

/// The owner addressed by the path, and the operation naming the codes.
pub struct Addressed<'a> {
    pub owner: Owner,
    pub organization_id: Uuid,
    pub slug: &'a str,
    pub adapter: &'a str,
    pub operation: &'static str,
}

impl<'a> Addressed<'a> {
    pub fn new(
        owner: Owner,
        caller: &Caller,
        slug: &'a str,
        adapter: &'a str,
        operation: &'static str,
    ) -> Result<Self, Error> {
        Ok(Self { owner, organization_id: caller.0.organization_id()?, slug, adapter, operation })
    }

    /// The trimmed adapter name; a blank one is `{operation}.InvalidIntegrationName`.
    fn adapter(&self) -> Result<&str, Error> {
        let adapter = self.adapter.trim();
        if adapter.is_empty() {
            return Err(Error::bad_request(
                format!("{}.InvalidIntegrationName", self.operation),
                "the integration name must not be empty",
            ));
        }
        Ok(adapter)
    }

    /// The owner's id, its row held against deletion until commit.
    async fn owner_id(&self, conn: &mut PgConnection) -> Result<Uuid, Error> {
        let (noun, title) = (self.owner.noun(), self.owner.title());
        let select = format!("SELECT o.id FROM {noun} o");
        let found: Option<(Uuid,)> =
            kaiten_kernel::scoped::find(conn, &select, "o", "slug", self.organization_id, self.slug, RowLock::KeyShare)
                .await?;
        found.map(|(id,)| id).ok_or_else(|| {
            Error::not_found(format!("{}.{title}NotFound", self.operation), format!("{noun} {} not found", self.slug))
        })
    }

    fn link_not_found(&self, adapter: &str) -> Error {
        Error::not_found(
            format!("{}.NotFound", self.operation),
            format!("integration {adapter} not found for {} {}", self.owner.noun(), self.slug),
        )
    }
}

pub async fn get(pool: &PgPool, at: Addressed<'_>) -> Result<Stored, Error> {
    let adapter = at.adapter()?;
    let mut conn = pool.acquire().await?;
    let owner_id = at.owner_id(&mut conn).await?;
    integrations::one(&mut conn, at.owner, at.organization_id, owner_id, adapter)
        .await?
        .ok_or_else(|| at.link_not_found(adapter))
}

/// Links the owner: 409 `{operation}.AlreadyExists` or `{operation}.ExternalIDConflict`.
pub async fn create(pool: &PgPool, at: Addressed<'_>, input: IntegrationInput) -> Result<Stored, Error> {
    let adapter = at.adapter()?;
    let input = integrations::checked(input, at.operation)?;
    let mut uow = Uow::begin(pool).await?;
    let owner_id = at.owner_id(uow.conn()).await?;
    let stored =
        integrations::link(uow.conn(), at.owner, at.organization_id, owner_id, adapter, &input, at.operation).await?;
    uow.commit().await?;
    Ok(stored)
}

/// Replaces the owner's link (404 when there is none).
pub async fn update(pool: &PgPool, at: Addressed<'_>, input: IntegrationInput) -> Result<Stored, Error> {
    let adapter = at.adapter()?;
    let input = integrations::checked(input, at.operation)?;
    let mut uow = Uow::begin(pool).await?;
    let owner_id = at.owner_id(uow.conn()).await?;
    let stored =
        integrations::relink(uow.conn(), at.owner, at.organization_id, owner_id, adapter, &input, at.operation)
            .await?
            .ok_or_else(|| at.link_not_found(adapter))?;
    uow.commit().await?;
    Ok(stored)
}

pub async fn delete(pool: &PgPool, at: Addressed<'_>) -> Result<(), Error> {
    let adapter = at.adapter()?;
    let mut uow = Uow::begin(pool).await?;
    let owner_id = at.owner_id(uow.conn()).await?;
    if !integrations::unlink(uow.conn(), at.owner, at.organization_id, owner_id, adapter).await? {
        return Err(at.link_not_found(adapter));
    }
    uow.commit().await?;
    Ok(())
}
