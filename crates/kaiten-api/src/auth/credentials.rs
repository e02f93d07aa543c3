//! Looking up `ksh_`/`ksm_` credentials by their SHA-256 digest.

use chrono::{DateTime, Utc};
use kaiten_kernel::principal::{Principal, PrincipalKind, SYSTEM_USER_ID};
use kaiten_kernel::secret;
use sqlx::PgPool;
use uuid::Uuid;

/// A validated credential, as cached: its principal and when it stops being valid.
#[derive(Debug, Clone)]
pub struct Credential {
    pub principal: Principal,
    pub digest: [u8; 32],
    pub expires_at: Option<DateTime<Utc>>,
    /// The external id of the identity (`ksa_…`, or `system:kaiten`).
    pub subject: String,
    /// The external id of the organization, for organization tokens.
    pub organization_external_id: Option<String>,
}

impl Credential {
    pub fn is_live(&self, presented: &[u8; 32]) -> bool {
        secret::digest_matches(&self.digest, presented) && self.expires_at.is_none_or(|at| at > Utc::now())
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    user_id: Uuid,
    organization_id: Option<Uuid>,
    scopes: Vec<String>,
    lookup_hash: Vec<u8>,
    expires_at: Option<DateTime<Utc>>,
    subject: String,
    organization_external_id: Option<String>,
}

/// An active organization token whose owner is a live member of its organization.
pub async fn organization_token(pool: &PgPool, digest: &[u8; 32]) -> Result<Option<Credential>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT t.id, t.user_id, t.organization_id, t.scopes, t.lookup_hash, t.expires_at,
                u.external_id AS subject, o.external_id AS organization_external_id
           FROM token t
           JOIN organization o ON o.id = t.organization_id
           JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL
           JOIN membership m ON m.organization_id = t.organization_id AND m.user_id = t.user_id AND m.deleted_at IS NULL
          WHERE t.lookup_hash = $1 AND t.kind = 'organization' AND t.revoked_at IS NULL
            AND (t.expires_at IS NULL OR t.expires_at > now())",
    )
    .bind(&digest[..])
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|row| {
        let organization_id = row.organization_id?;
        Some(credential(row, PrincipalKind::Organization { organization_id }))
    }))
}

/// An active platform credential.
pub async fn platform_token(pool: &PgPool, digest: &[u8; 32]) -> Result<Option<Credential>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, user_id, organization_id, scopes, lookup_hash, expires_at,
                'system:kaiten' AS subject, NULL::text AS organization_external_id
           FROM token
          WHERE lookup_hash = $1 AND kind = 'platform' AND revoked_at IS NULL
            AND (expires_at IS NULL OR expires_at > now())",
    )
    .bind(&digest[..])
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| {
        let kind = PrincipalKind::Platform { platform_token_id: row.id };
        let mut credential = credential(row, kind);
        credential.principal.user_id = SYSTEM_USER_ID;
        credential
    }))
}

fn credential(row: Row, kind: PrincipalKind) -> Credential {
    let mut digest = [0u8; 32];
    if row.lookup_hash.len() == 32 {
        digest.copy_from_slice(&row.lookup_hash);
    }
    Credential {
        principal: Principal { user_id: row.user_id, kind, scopes: row.scopes.into(), token_id: Some(row.id) },
        digest,
        expires_at: row.expires_at,
        subject: row.subject,
        organization_external_id: row.organization_external_id,
    }
}
