//! Links of customers and instances to records in third-party systems (a CRM, a billing
//! tool), keyed by adapter name. Both owners store them the same way.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use kaiten_kernel::Error;
use kaiten_kernel::OnConstraint;
use sqlx::PgConnection;
use uuid::Uuid;

use super::customers::schema::IntegrationInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Customer,
    Instance,
}

impl Owner {
    fn table(self) -> &'static str {
        match self {
            Self::Customer => "customer_integration",
            Self::Instance => "instance_integration",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::Customer => "customer_id",
            Self::Instance => "instance_id",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Instance => "instance",
        }
    }

    /// The noun capitalized, as error codes spell it (`…CustomerNotFound`).
    pub fn title(self) -> &'static str {
        match self {
            Self::Customer => "Customer",
            Self::Instance => "Instance",
        }
    }
}

/// A page of the owner's rows (`select`, the owner table aliased `alias`), newest first; only
/// those linked to `adapter` when one is given (GraphQL's `hasIntegration`).
pub async fn page_linked<R>(
    conn: &mut PgConnection,
    owner: Owner,
    (select, alias): (&str, &str),
    organization_id: Uuid,
    page: &kaiten_kernel::PageRequest,
    adapter: Option<&str>,
) -> Result<Vec<R>, Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let Some(adapter) = adapter else {
        return Ok(page.fetch_of_organization(conn, select, alias, organization_id).await?);
    };
    let linked = format!(
        "EXISTS (SELECT 1 FROM {} x WHERE x.{} = {alias}.id AND x.adapter = $5)",
        owner.table(),
        owner.column()
    );
    Ok(page.fetch_of_organization_where(conn, select, alias, organization_id, &linked, adapter).await?)
}

/// Declares the published schema of an owner's integration (`CustomerIntegration`,
/// `InstanceIntegration`): the same fields, under the name the contract gives each.
#[macro_export]
macro_rules! integration_schema {
    ($name:ident) => {
        #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// External identifier in the third-party adapter
            pub external_id: String,
            /// Last synchronization error message, if any
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub last_error: Option<String>,
            /// Adapter-specific integration metadata
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false, value_type = Object, additional_properties)]
            pub metadata: Option<serde_json::Value>,
            /// Timestamp of the last synchronization with the adapter
            #[schema(read_only)]
            pub synced_at: chrono::DateTime<chrono::Utc>,
            /// Absolute http(s) link to the record in the third-party system
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub web_url: Option<String>,
        }

        impl From<$crate::modules::integrations::Stored> for $name {
            fn from(i: $crate::modules::integrations::Stored) -> Self {
                Self {
                    external_id: i.external_id,
                    last_error: i.last_error,
                    metadata: Some(i.metadata),
                    synced_at: i.synced_at,
                    web_url: i.web_url,
                }
            }
        }
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    pub owner_id: Uuid,
    pub adapter: String,
    pub external_id: String,
    pub metadata: serde_json::Value,
    pub synced_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub web_url: Option<String>,
}

/// The integrations of each owner, by adapter, in one query.
pub async fn load(
    conn: &mut PgConnection,
    owner: Owner,
    organization_id: Uuid,
    owner_ids: &[Uuid],
) -> Result<HashMap<Uuid, BTreeMap<String, Stored>>, Error> {
    let rows: Vec<Stored> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {column} AS owner_id, adapter, external_id, metadata, synced_at, last_error, web_url
           FROM {table} WHERE organization_id = $1 AND {column} = ANY($2)",
        column = owner.column(),
        table = owner.table(),
    )))
    .bind(organization_id)
    .bind(owner_ids)
    .fetch_all(conn)
    .await?;
    let mut by_owner: HashMap<Uuid, BTreeMap<String, Stored>> = HashMap::new();
    for row in rows {
        by_owner.entry(row.owner_id).or_default().insert(row.adapter.clone(), row);
    }
    Ok(by_owner)
}

/// The integrations of `owner_id` out of a [`load`]ed map, as its published schema.
pub fn take<T: From<Stored>>(
    loaded: &mut HashMap<Uuid, BTreeMap<String, Stored>>,
    owner_id: Uuid,
) -> BTreeMap<String, T> {
    loaded.remove(&owner_id).unwrap_or_default().into_iter().map(|(adapter, i)| (adapter, T::from(i))).collect()
}

/// Stores normalised integrations; a record already linked to another owner is `conflict_code`.
pub async fn insert(
    conn: &mut PgConnection,
    owner: Owner,
    organization_id: Uuid,
    owner_id: Uuid,
    integrations: &BTreeMap<String, IntegrationInput>,
    conflict_code: &'static str,
) -> Result<(), Error> {
    for (adapter, integration) in integrations {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({column}, organization_id, adapter, external_id, metadata, last_error, web_url)
             VALUES ($1, $2, $3, $4, COALESCE($5, '{{}}'::jsonb), $6, $7)",
            column = owner.column(),
            table = owner.table(),
        )))
        .bind(owner_id)
        .bind(organization_id)
        .bind(adapter)
        .bind(&integration.external_id)
        .bind(&integration.metadata)
        .bind(&integration.last_error)
        .bind(&integration.web_url)
        .execute(&mut *conn)
        .await
        .on_constraint(&format!("{}_external_key", owner.table()), || {
            Error::conflict(
                conflict_code,
                format!("another {} is already linked to {adapter} record {}", owner.noun(), integration.external_id),
            )
        })?;
    }
    Ok(())
}

/// Normalises every integration of a body; `code` is the operation's `…InvalidIntegration`.
pub fn normalized(
    integrations: Option<&BTreeMap<String, IntegrationInput>>,
    code: &'static str,
) -> Result<BTreeMap<String, IntegrationInput>, Error> {
    integrations
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|(adapter, i)| i.normalized(&adapter, code).map(|i| (adapter, i)))
        .collect()
}

/// Whether a PUT echoes exactly the integrations on record (it may not change them).
pub fn echoes<T>(
    sent: Option<&BTreeMap<String, IntegrationInput>>,
    stored: &BTreeMap<String, T>,
    external_id: impl Fn(&T) -> &str,
) -> bool {
    sent.is_none_or(|sent| {
        sent.len() == stored.len()
            && sent
                .iter()
                .all(|(adapter, i)| stored.get(adapter).is_some_and(|s| external_id(s) == i.external_id.trim()))
    })
}

/// Checks a link's fields (`operation` names the codes): a non-empty external id, an absolute
/// http(s) `web_url`, an object for `metadata`. A blank `last_error` is none.
pub fn checked(mut input: IntegrationInput, operation: &str) -> Result<IntegrationInput, Error> {
    input.external_id = input.external_id.trim().to_owned();
    if input.external_id.is_empty() {
        return Err(Error::bad_request(format!("{operation}.InvalidExternalID"), "external_id must not be empty"));
    }
    if let Some(url) = &input.web_url {
        input.web_url = Some(web_url(url).ok_or_else(|| invalid_web_url(operation))?);
    }
    if input.metadata.as_ref().is_some_and(|m| !m.is_object()) {
        return Err(Error::bad_request(format!("{operation}.InvalidMetadata"), "metadata must be a JSON object"));
    }
    input.last_error = input.last_error.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    Ok(input)
}

/// The trimmed link when it is an absolute http(s) URL with a host; an empty one is none.
pub fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains(char::is_whitespace) && !rest.contains(char::is_whitespace))
        .then(|| url.to_owned())
}

pub fn invalid_web_url(operation: &str) -> Error {
    Error::unprocessable_rule(format!("{operation}.InvalidWebURL"), "webUrl must be an absolute http(s) URL")
}

/// The owner's link to `adapter`.
pub async fn one(
    conn: &mut PgConnection,
    owner: Owner,
    organization_id: Uuid,
    owner_id: Uuid,
    adapter: &str,
) -> Result<Option<Stored>, Error> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {column} AS owner_id, adapter, external_id, metadata, synced_at, last_error, web_url
           FROM {table} WHERE organization_id = $1 AND {column} = $2 AND adapter = $3",
        column = owner.column(),
        table = owner.table(),
    )))
    .bind(organization_id)
    .bind(owner_id)
    .bind(adapter)
    .fetch_optional(conn)
    .await?)
}

/// The link of the organization's record `external_id` in `adapter` (at most one, by the unique
/// key), locked for update when `for_update`.
pub async fn by_external_id(
    conn: &mut PgConnection,
    owner: Owner,
    organization_id: Uuid,
    (adapter, external_id): (&str, &str),
    for_update: bool,
) -> Result<Option<Stored>, Error> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {column} AS owner_id, adapter, external_id, metadata, synced_at, last_error, web_url
           FROM {table} WHERE organization_id = $1 AND adapter = $2 AND external_id = $3{lock}",
        column = owner.column(),
        table = owner.table(),
        lock = if for_update { " FOR UPDATE" } else { "" },
    )))
    .bind(organization_id)
    .bind(adapter)
    .bind(external_id)
    .fetch_optional(conn)
    .await?)
}

/// Links the owner to a record: `{operation}.AlreadyExists` when the owner is already linked to
/// `adapter`, `{operation}.ExternalIDConflict` when another owner holds that record. Both come
/// from the table's keys, so concurrent creates are safe.
pub async fn link(
    conn: &mut PgConnection,
    owner: Owner,
    organization_id: Uuid,
    owner_id: Uuid,
    adapter: &str,
    input: &IntegrationInput,
    operation: &str,
) -> Result<Stored, Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} ({column}, organization_id, adapter, external_id, metadata, last_error, web_url)
         VALUES ($1, $2, $3, $4, COALESCE($5, '{{}}'::jsonb), $6, $7)
         RETURNING {column} AS owner_id, adapter, external_id, metadata, synced_at, last_error, web_url",
        column = owner.column(),
        table = owner.table(),
    )))
    .bind(owner_id)
    .bind(organization_id)
    .bind(adapter)
    .bind(&input.external_id)
    .bind(&input.metadata)
    .bind(&input.last_error)
    .bind(&input.web_url)
    .fetch_one(conn)
    .await
    .on_constraint(&format!("{}_pkey", owner.table()), || {
        Error::conflict(
            format!("{operation}.AlreadyExists"),
            format!("this {} is already linked to {adapter}", owner.noun()),
        )
    })
    .on_constraint(&format!("{}_external_key", owner.table()), || {
        external_id_conflict(owner, adapter, input, operation)
    })
}

/// Replaces the owner's link to `adapter` (a missing `metadata` is `{}`) and stamps `synced_at`;
/// `None` when there is no such link.
pub async fn relink(
    conn: &mut PgConnection,
    owner: Owner,
    organization_id: Uuid,
    owner_id: Uuid,
    adapter: &str,
    input: &IntegrationInput,
    operation: &str,
) -> Result<Option<Stored>, Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET external_id = $4, metadata = COALESCE($5, '{{}}'::jsonb), last_error = $6, web_url = $7,
                synced_at = now()
          WHERE organization_id = $1 AND {column} = $2 AND adapter = $3
         RETURNING {column} AS owner_id, adapter, external_id, metadata, synced_at, last_error, web_url",
        column = owner.column(),
        table = owner.table(),
    )))
    .bind(organization_id)
    .bind(owner_id)
    .bind(adapter)
    .bind(&input.external_id)
    .bind(&input.metadata)
    .bind(&input.last_error)
    .bind(&input.web_url)
    .fetch_optional(conn)
    .await
    .on_constraint(&format!("{}_external_key", owner.table()), || {
        external_id_conflict(owner, adapter, input, operation)
    })
}

/// Removes the owner's link to `adapter`; whether there was one.
pub async fn unlink(
    conn: &mut PgConnection,
    owner: Owner,
    organization_id: Uuid,
    owner_id: Uuid,
    adapter: &str,
) -> Result<bool, Error> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE organization_id = $1 AND {column} = $2 AND adapter = $3",
        column = owner.column(),
        table = owner.table(),
    )))
    .bind(organization_id)
    .bind(owner_id)
    .bind(adapter)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

fn external_id_conflict(owner: Owner, adapter: &str, input: &IntegrationInput, operation: &str) -> Error {
    Error::conflict(
        format!("{operation}.ExternalIDConflict"),
        format!("another {} is already linked to {adapter} record {}", owner.noun(), input.external_id),
    )
}
