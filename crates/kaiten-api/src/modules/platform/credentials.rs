//! Platform credentials (`ksm_`), managed from the command line: create (the plaintext is
//! returned once), list (never a secret) and revoke (which also revokes every organization
//! token the credential minted).

use chrono::{DateTime, Utc};
use kaiten_kernel::Uow;
use kaiten_kernel::principal::{SYSTEM_SUBJECT, SYSTEM_USER_ID};
use kaiten_kernel::{Error, scope};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::schema::PlatformCredential;
use crate::auth::invalidation;
use crate::modules::identity::tokens::repository::{self as store, Kind, NewToken};

/// Creates a platform credential; returns its description and the plaintext.
pub async fn create(
    pool: &PgPool,
    name: &str,
    scopes: Option<Vec<String>>,
    ttl: Option<std::time::Duration>,
) -> Result<(PlatformCredential, String), Error> {
    let scopes = scopes.unwrap_or_else(scope::all_scopes);
    scope::validate(&scopes, "PlatformToken.InvalidScopes")?;
    let expires_at = ttl.and_then(|ttl| chrono::Duration::from_std(ttl).ok()).map(|ttl| Utc::now() + ttl);
    let mut uow = Uow::begin(pool).await?;
    let token = store::insert(
        uow.conn(),
        NewToken {
            operation: "CreatePlatformToken",
            kind: Kind::Platform,
            organization_id: None,
            owner_id: SYSTEM_USER_ID,
            name,
            slug: None,
            slug_base: name,
            scopes: &scopes,
            expires_at,
            created_by: SYSTEM_USER_ID,
            issued_by_platform_token: None,
        },
    )
    .await?;
    let credential = find(uow.conn(), token.token.id)
        .await?
        .ok_or_else(|| Error::internal(std::io::Error::other("token vanished")))?;
    uow.commit().await?;
    Ok((credential, token.value))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    slug: String,
    scopes: Vec<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
}

impl From<Row> for PlatformCredential {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            name: row.name,
            slug: row.slug,
            subject: SYSTEM_SUBJECT.to_owned(),
            credential_kind: "platform".to_owned(),
            scopes: Some(row.scopes),
            created_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

/// An active platform credential.
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<PlatformCredential>, Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, name, slug, scopes, created_at, expires_at FROM token
          WHERE id = $1 AND kind = 'platform' AND revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

/// Every active platform credential, oldest first.
pub async fn list(pool: &PgPool) -> Result<Vec<PlatformCredential>, Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, slug, scopes, created_at, expires_at FROM token
          WHERE kind = 'platform' AND revoked_at IS NULL ORDER BY created_at, id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Revokes the active credential with this name and everything it minted; returns how many
/// tokens were revoked in all.
pub async fn revoke(pool: &PgPool, name: &str) -> Result<u64, Error> {
    let mut uow = Uow::begin(pool).await?;
    let id: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM token WHERE kind = 'platform' AND name = $1 AND revoked_at IS NULL FOR UPDATE",
    )
    .bind(name)
    .fetch_optional(uow.conn())
    .await?;
    let id =
        id.ok_or_else(|| Error::not_found("PlatformToken.NotFound", format!("no active platform token named {name}")))?;
    let revoked = sqlx::query(
        "UPDATE token SET revoked_at = now(), revoked_by_id = $2
          WHERE (id = $1 OR issued_by_platform_token_id = $1) AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(SYSTEM_USER_ID)
    .execute(uow.conn())
    .await?;
    invalidation::notify(uow.conn(), invalidation::EVERYTHING).await?;
    uow.commit().await?;
    Ok(revoked.rows_affected())
}
