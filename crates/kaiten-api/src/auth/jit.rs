//! Just-in-time provisioning: the first valid JWT of an unknown user or organization creates
//! the organization, the user and the membership, with the original's deterministic ids.
//! Upserts make concurrent first requests converge on exactly one row of each.

use kaiten_kernel::error::is_constraint;
use kaiten_kernel::{Error, external_id};
use sqlx::PgPool;
use uuid::Uuid;

use super::jwt::Claims;

/// The internal ids behind a JWT identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provisioned {
    pub user_id: Uuid,
    pub organization_id: Uuid,
}

pub async fn provision(pool: &PgPool, claims: &Claims) -> Result<Provisioned, Error> {
    // A concurrent insert can surface as a unique violation instead of the upsert's conflict
    // path; the second attempt then finds the rows.
    match try_provision(pool, claims).await {
        Err(err) if err.code() == "JIT.Retry" => try_provision(pool, claims).await,
        other => other,
    }
}

async fn try_provision(pool: &PgPool, claims: &Claims) -> Result<Provisioned, Error> {
    let organization_id = external_id::organization_id(&claims.external_org_id);
    let user_id = external_id::user_id(&claims.subject);
    let mut tx = pool.begin().await?;

    sqlx::query(
        "INSERT INTO organization (id, external_id, name) VALUES ($1, $2, COALESCE($3, $2))
         ON CONFLICT (external_id) DO UPDATE SET name = COALESCE($3, organization.name)
         WHERE $3 IS NOT NULL AND organization.name IS DISTINCT FROM $3",
    )
    .bind(organization_id)
    .bind(&claims.external_org_id)
    .bind(&claims.org_name)
    .execute(&mut *tx)
    .await
    .map_err(retry_on_unique)?;

    let email = claims.email.clone().unwrap_or_else(|| format!("{}@jit.internal", claims.subject));
    let deleted: Option<bool> = sqlx::query_scalar(
        "INSERT INTO users (id, external_id, email, name, type) VALUES ($1, $2, $3, COALESCE($4, $2), 'human')
         ON CONFLICT (external_id) DO UPDATE
            SET email = COALESCE($5, users.email), name = COALESCE($4, users.name)
         RETURNING deleted_at IS NOT NULL",
    )
    .bind(user_id)
    .bind(&claims.subject)
    .bind(&email)
    .bind(&claims.name)
    .bind(&claims.email)
    .fetch_optional(&mut *tx)
    .await
    .map_err(|err| {
        if is_constraint(&err, "users_email_key") {
            Error::conflict("Auth.EmailAlreadyProvisioned", "another user already holds this email address")
        } else {
            retry_on_unique(err)
        }
    })?;
    if deleted == Some(true) {
        return Err(Error::forbidden("Auth.UserDeleted", "this user has been deleted"));
    }

    let membership_deleted: bool = sqlx::query_scalar(
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
    .fetch_one(&mut *tx)
    .await
    .map_err(retry_on_unique)?;
    if membership_deleted {
        return Err(Error::forbidden("Auth.MembershipDeleted", "User has been removed from the organization"));
    }
    tx.commit().await?;
    Ok(Provisioned { user_id, organization_id })
}

fn retry_on_unique(err: sqlx::Error) -> Error {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Error::conflict("JIT.Retry", "concurrent provisioning")
        }
        _ => Error::from(err),
    }
}
