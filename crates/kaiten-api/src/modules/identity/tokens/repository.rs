//! Writing and reading credentials. The plaintext exists only in the value returned by
//! `insert`; the database keeps its SHA-256 digest.

use chrono::{DateTime, Utc};
use kaiten_kernel::principal::SYSTEM_USER_ID;
use kaiten_kernel::{Cursor, Error, PageRequest, secret, slug};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::auth::invalidation;
use crate::modules::identity::schema::{PlainToken, Token};
use crate::modules::user_ref::UserRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organization,
    Platform,
}

impl Kind {
    fn as_sql(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Platform => "platform",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Organization => secret::ORGANIZATION_TOKEN_PREFIX,
            Self::Platform => secret::PLATFORM_TOKEN_PREFIX,
        }
    }
}

/// What a new credential is: whose, where, and what it may do.
pub struct NewToken<'a> {
    /// The operation, for error codes (`CreateToken`, `MintOrganizationToken`, ...).
    pub operation: &'static str,
    pub kind: Kind,
    pub organization_id: Option<Uuid>,
    pub owner_id: Uuid,
    pub name: &'a str,
    pub slug: Option<&'a str>,
    /// What a generated slug is derived from.
    pub slug_base: &'a str,
    pub scopes: &'a [String],
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub issued_by_platform_token: Option<Uuid>,
}

pub async fn insert(conn: &mut PgConnection, new: NewToken<'_>) -> Result<PlainToken, Error> {
    let name_taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM token WHERE organization_id IS NOT DISTINCT FROM $1 AND user_id = $2
                          AND name = $3 AND revoked_at IS NULL)",
    )
    .bind(new.organization_id)
    .bind(new.owner_id)
    .bind(new.name)
    .fetch_one(&mut *conn)
    .await?;
    if name_taken {
        return Err(Error::conflict(
            format!("{}.NameConflict", new.operation),
            format!("an active token named {} already exists", new.name),
        ));
    }
    let mut claimed = None;
    for candidate in slug::candidates(new.slug, new.slug_base) {
        let candidate = candidate.as_str();
        let plaintext = secret::generate(new.kind.prefix());
        let id: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO token (kind, organization_id, user_id, name, slug, scopes, lookup_hash, expires_at,
                                created_by_id, issued_by_platform_token_id)
             VALUES ($1::token_kind, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(new.kind.as_sql())
        .bind(new.organization_id)
        .bind(new.owner_id)
        .bind(new.name)
        .bind(candidate)
        .bind(new.scopes)
        .bind(&secret::digest(&plaintext)[..])
        .bind(new.expires_at)
        .bind(new.created_by)
        .bind(new.issued_by_platform_token)
        .fetch_optional(&mut *conn)
        .await?;
        claimed = id.map(|id| (id, plaintext));
        if claimed.is_some() {
            break;
        }
    }
    let (id, plaintext) = claimed.ok_or_else(|| {
        Error::conflict(format!("{}.SlugConflict", new.operation), "a token with this slug already exists")
    })?;
    let token = find_by_id(conn, id).await?;
    Ok(PlainToken { token, value: plaintext })
}

#[derive(sqlx::FromRow)]
pub struct TokenRow {
    id: Uuid,
    name: String,
    slug: String,
    scopes: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    created_by_id: Uuid,
    created_by_name: Option<String>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_by_id: Option<Uuid>,
    revoked_by_name: Option<String>,
    user_id: Uuid,
}

impl TokenRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }

    pub fn into_token(self) -> Token {
        Token {
            id: self.id,
            name: self.name,
            slug: self.slug,
            scopes: Some(self.scopes),
            expires_at: self.expires_at,
            created_at: self.created_at,
            created_by: UserRef::new(self.created_by_id, self.created_by_name),
            revoked_at: self.revoked_at,
            revoked_by: self.revoked_by_id.map(|id| UserRef::new(id, self.revoked_by_name)),
            service_account_id: (self.user_id != SYSTEM_USER_ID).then_some(self.user_id),
        }
    }
}

const SELECT: &str = "SELECT t.id, t.name, t.slug, t.scopes, t.expires_at, t.created_at, t.created_by_id,
        cb.name AS created_by_name, t.revoked_at, t.revoked_by_id, rb.name AS revoked_by_name, t.user_id
   FROM token t
   JOIN users cb ON cb.id = t.created_by_id
   LEFT JOIN users rb ON rb.id = t.revoked_by_id";

async fn find_by_id(conn: &mut PgConnection, id: Uuid) -> Result<Token, Error> {
    let row: TokenRow =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE t.id = $1"))).bind(id).fetch_one(conn).await?;
    Ok(row.into_token())
}

/// A page of one owner's tokens in an organization, revoked ones included, newest first.
pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    owner_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<TokenRow>, Error> {
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE t.organization_id = $1 AND t.user_id = $2 {}",
        PageRequest::keyset("t", 3)
    )));
    Ok(page.bind(query.bind(organization_id).bind(owner_id)).fetch_all(conn).await?)
}

/// The active tokens of these owners in an organization.
pub async fn active_of(
    conn: &mut PgConnection,
    organization_id: Uuid,
    owners: &[Uuid],
) -> Result<Vec<TokenRow>, Error> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE t.organization_id = $1 AND t.user_id = ANY($2) AND t.revoked_at IS NULL
          ORDER BY t.created_at DESC, t.id DESC"
    )))
    .bind(organization_id)
    .bind(owners)
    .fetch_all(conn)
    .await?)
}

/// The tokens a platform credential minted in an organization that still work: neither
/// revoked nor expired.
pub async fn minted_by(
    conn: &mut PgConnection,
    organization_id: Uuid,
    platform_token_id: Uuid,
) -> Result<Vec<Token>, Error> {
    let rows: Vec<TokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE t.organization_id = $1 AND t.issued_by_platform_token_id = $2
            AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
          ORDER BY t.created_at DESC, t.id DESC"
    )))
    .bind(organization_id)
    .bind(platform_token_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(TokenRow::into_token).collect())
}

/// Revokes the token with this slug among the matching ones, and returns its digest (hex) to
/// evict from the caches once committed; `None` if there is no such token. An already revoked
/// token counts as found, so a retried DELETE stays a success.
pub async fn revoke(
    conn: &mut PgConnection,
    target: RevokeTarget<'_>,
    revoked_by: Uuid,
) -> Result<Option<String>, Error> {
    let (owner, issued_by) = match target.owner {
        Owner::User(id) => (Some(id), None),
        Owner::IssuedBy(id) => (None, Some(id)),
    };
    let found: Option<(Vec<u8>, bool)> = sqlx::query_as(
        "WITH target AS (
             SELECT id, lookup_hash, revoked_at IS NOT NULL AS was_revoked FROM token
              WHERE organization_id = $1 AND slug = $2
                AND ($3::uuid IS NULL OR user_id = $3)
                AND ($4::uuid IS NULL OR issued_by_platform_token_id = $4)
              FOR UPDATE
         ), updated AS (
             UPDATE token t SET revoked_at = now(), revoked_by_id = $5
               FROM target WHERE t.id = target.id AND t.revoked_at IS NULL
         )
         SELECT lookup_hash, was_revoked FROM target",
    )
    .bind(target.organization_id)
    .bind(target.slug)
    .bind(owner)
    .bind(issued_by)
    .bind(revoked_by)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((digest, was_revoked)) = found else { return Ok(None) };
    let digest = secret::digest_to_hex(&digest);
    if !was_revoked {
        invalidation::notify(conn, &digest).await?;
    }
    Ok(Some(digest))
}

pub struct RevokeTarget<'a> {
    pub organization_id: Uuid,
    pub slug: &'a str,
    pub owner: Owner,
}

pub enum Owner {
    /// A token owned by this user (a service account's).
    User(Uuid),
    /// A token minted by this platform credential.
    IssuedBy(Uuid),
}
