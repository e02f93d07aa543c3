//! Queries the flag use cases share, and the change notification every replica's compiled
//! flag cache listens to.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use kaiten_flags::{Definition, FlagType};
use kaiten_kernel::RowLock;
use kaiten_kernel::{Cursor, Error, PageRequest};
use serde_json::Value;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::schema::{FeatureFlag, FeatureFlagInput};

/// The channel a flag change is announced on; the payload is the organization id.
pub const CHANGED: &str = "kaiten_flags_changed";

#[derive(sqlx::FromRow)]
pub struct FlagRow {
    pub id: Uuid,
    slug: String,
    name: String,
    description: Option<String>,
    r#type: String,
    variants: Option<Value>,
    targetings: Option<Value>,
    default_variant: Value,
    metadata: Value,
    enabled: bool,
    event_name: String,
    created_at: DateTime<Utc>,
}

pub const COLUMNS: &str = "id, slug, name, description, type, variants, targetings, default_variant, metadata, enabled, event_name, created_at";

fn corrupt(id: Uuid, err: impl std::fmt::Display) -> Error {
    Error::internal(std::io::Error::other(format!("feature flag {id} does not decode: {err}")))
}

fn decode<T: serde::de::DeserializeOwned>(id: Uuid, value: Value) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| corrupt(id, e))
}

impl FlagRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id }
    }

    pub fn into_dto(self) -> Result<FeatureFlag, Error> {
        let id = self.id;
        Ok(FeatureFlag {
            id,
            r#type: FlagType::parse(&self.r#type).ok_or_else(|| corrupt(id, "unknown type"))?,
            variants: self.variants.map(|v| decode(id, v)).transpose()?,
            targetings: self.targetings.map(|v| decode(id, v)).transpose()?,
            name: self.name,
            description: self.description,
            default_variant: decode(id, self.default_variant)?,
            slug: self.slug,
            metadata: decode(id, self.metadata)?,
            enabled: self.enabled,
            event_name: self.event_name,
        })
    }

    /// What evaluation needs of the flag.
    pub fn into_definition(self) -> Result<(Uuid, Definition), Error> {
        let flag = self.into_dto()?;
        let definition = Definition {
            slug: flag.slug,
            flag_type: flag.r#type,
            variants: flag.variants,
            targetings: flag.targetings,
            default_variant: flag.default_variant,
            metadata: flag.metadata,
            enabled: flag.enabled,
        };
        Ok((flag.id, definition))
    }
}

pub fn not_found(code: &'static str, slug: &str) -> Error {
    Error::not_found(code, format!("Feature flag with slug {slug} not found"))
}

pub async fn find(conn: &mut PgConnection, organization_id: Uuid, slug: &str) -> Result<Option<FlagRow>, Error> {
    let select = format!("SELECT {COLUMNS} FROM feature_flag");
    Ok(kaiten_kernel::scoped::find(conn, &select, "feature_flag", "slug", organization_id, slug, RowLock::None).await?)
}

pub async fn page(conn: &mut PgConnection, organization_id: Uuid, page: &PageRequest) -> Result<Vec<FlagRow>, Error> {
    Ok(page.fetch_of_organization(conn, &format!("SELECT {COLUMNS} FROM feature_flag f"), "f", organization_id).await?)
}

/// Every flag of an organization, in slug order: what the evaluation cache compiles.
pub async fn all(conn: &mut PgConnection, organization_id: Uuid) -> Result<Vec<FlagRow>, Error> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM feature_flag WHERE organization_id = $1 ORDER BY slug"
    )))
    .bind(organization_id)
    .fetch_all(conn)
    .await?)
}

/// The organization's entitlement slugs, which rules are linted against.
pub async fn catalog(conn: &mut PgConnection, organization_id: Uuid) -> Result<BTreeSet<String>, Error> {
    let slugs: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM entitlement WHERE organization_id = $1 ORDER BY slug")
            .bind(organization_id)
            .fetch_all(conn)
            .await?;
    Ok(slugs.into_iter().collect())
}

/// The columns of a written flag, bound in `COLUMNS` order after id/org.
pub fn bind_fields<'q>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, FlagRow, sqlx::postgres::PgArguments>,
    input: &'q FeatureFlagInput,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, FlagRow, sqlx::postgres::PgArguments> {
    query
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.r#type.as_str())
        .bind(input.variants.as_ref().map(Json))
        .bind(input.targetings.as_ref().map(Json))
        .bind(Json(&input.default_variant))
        .bind(Json(&input.metadata))
        .bind(input.enabled)
        .bind(&input.event_name)
}

/// Announces, when the transaction commits, that an organization's flags changed.
pub async fn notify(conn: &mut PgConnection, organization_id: Uuid) -> Result<(), Error> {
    Ok(crate::invalidation::notify(conn, CHANGED, &organization_id.to_string()).await?)
}
