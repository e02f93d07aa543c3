//! The audit-trail queries REST and GraphQL share: the events of instances (one query for any
//! number of them), and every event of the organization with its instance and customer context.
//!
//! Both list newest first on `(occurred_at, seq)`: `seq` is the write order, so events of one
//! instant keep the order they were written in (the event id is random and orders nothing). The
//! opaque cursor carries `seq` in its id field.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::{Cursor, Error, Page, PageRequest};
use sqlx::PgConnection;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryAs;
use uuid::Uuid;

use super::AuditTrail;

/// The organization-wide list's own bounds (an instance's uses the API's 50 / 200).
pub const ORGANIZATION_DEFAULT_LIMIT: i64 = 200;
pub const ORGANIZATION_MAX_LIMIT: i64 = 1000;

/// What an audit-trail read filters on; both bounds are inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TrailFilter {
    /// Exact event name.
    pub event_name: Option<String>,
    /// Events at or after this instant.
    pub after: Option<DateTime<Utc>>,
    /// Events at or before this instant.
    pub before: Option<DateTime<Utc>>,
}

/// One instance's read in a batch: the instance, the filter and the page.
pub type TrailRead = (Uuid, TrailFilter, PageRequest);

/// An organization-wide audit-trail entry: the instance and customer columns are null for an
/// event not about an instance (and for one whose instance has since been deleted).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganizationAuditTrail {
    pub seq: i64,
    pub id: Uuid,
    pub instance_id: Option<Uuid>,
    pub instance_slug: Option<String>,
    pub instance_name: Option<String>,
    pub customer_id: Option<Uuid>,
    pub customer_slug: Option<String>,
    pub customer_name: Option<String>,
    pub event_name: String,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub timestamp: DateTime<Utc>,
}

impl OrganizationAuditTrail {
    pub fn cursor(&self) -> Cursor {
        cursor(self.timestamp, self.seq)
    }
}

impl AuditTrail {
    pub fn cursor(&self) -> Cursor {
        cursor(self.timestamp, self.seq)
    }
}

fn cursor(at: DateTime<Utc>, seq: i64) -> Cursor {
    Cursor { created_at: at, id: Uuid::from_u128(u128::try_from(seq).unwrap_or_default()) }
}

/// The filters, the keyset bound, the order and the limit over `outbox_events o`, on the
/// parameters `$first` to `$first + 5` that [`bind`] fills.
fn tail(first: usize) -> String {
    let [name, after, before, at, seq, limit]: [usize; 6] = std::array::from_fn(|i| first + i);
    format!(
        "AND (${name}::text IS NULL OR o.event_name = ${name})
            AND (${after}::timestamptz IS NULL OR o.occurred_at >= ${after})
            AND (${before}::timestamptz IS NULL OR o.occurred_at <= ${before})
            AND (${at}::timestamptz IS NULL OR (o.occurred_at, o.seq) < (${at}, ${seq}))
          ORDER BY o.occurred_at DESC, o.seq DESC LIMIT ${limit}"
    )
}

type Query<'q, O> = QueryAs<'q, sqlx::Postgres, O, PgArguments>;

fn bind<'q, O>(query: Query<'q, O>, filter: &'q TrailFilter, page: &PageRequest) -> Query<'q, O>
where
    O: for<'r> sqlx::FromRow<'r, PgRow>,
{
    let after_seq = page.after.map(|c| i64::try_from(c.id.as_u128()).unwrap_or(i64::MAX));
    query
        .bind(filter.event_name.as_deref())
        .bind(filter.after)
        .bind(filter.before)
        .bind(page.after.map(|c| c.created_at))
        .bind(after_seq)
        .bind(page.fetch())
}

/// One page of each instance's audit trail (an empty one for an instance of another
/// organization), in a single query: the instance index is walked once per instance.
pub async fn of_instances(
    conn: &mut PgConnection,
    organization_id: Uuid,
    instance_ids: &[Uuid],
    filter: &TrailFilter,
    page: &PageRequest,
) -> Result<HashMap<Uuid, Page<AuditTrail>>, Error> {
    let sql = format!(
        "SELECT o.seq, o.id, o.instance_id, i.slug AS instance_slug, o.event_name, o.event_type, o.data AS payload,
                o.occurred_at AS timestamp
           FROM instance i
          CROSS JOIN LATERAL (
                SELECT o.seq, o.id, o.instance_id, o.event_name, o.event_type, o.data, o.occurred_at
                  FROM outbox_events o
                 WHERE o.organization_id = i.organization_id AND o.instance_id = i.id {}
          ) o
          WHERE i.organization_id = $1 AND i.id = ANY($2)
          ORDER BY i.id, o.occurred_at DESC, o.seq DESC",
        tail(3)
    );
    let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id).bind(instance_ids);
    let rows: Vec<AuditTrail> = bind(query, filter, page).fetch_all(conn).await?;
    let mut by_instance: HashMap<Uuid, Vec<AuditTrail>> = HashMap::new();
    for row in rows {
        by_instance.entry(row.instance_id).or_default().push(row);
    }
    Ok(instance_ids
        .iter()
        .map(|id| {
            let rows = by_instance.remove(id).unwrap_or_default();
            (*id, Page::from_rows(rows, page, AuditTrail::cursor))
        })
        .collect())
}

/// One page of one instance's audit trail.
pub async fn of_instance(
    conn: &mut PgConnection,
    organization_id: Uuid,
    instance_id: Uuid,
    filter: &TrailFilter,
    page: &PageRequest,
) -> Result<Page<AuditTrail>, Error> {
    let mut pages = of_instances(conn, organization_id, &[instance_id], filter, page).await?;
    Ok(pages.remove(&instance_id).unwrap_or_else(|| Page::from_rows(Vec::new(), page, AuditTrail::cursor)))
}

/// Many instances' reads at once, possibly with different filters and pages: one query per
/// distinct (filter, page), whatever the number of instances.
pub async fn of_reads(
    conn: &mut PgConnection,
    organization_id: Uuid,
    reads: &[TrailRead],
) -> Result<HashMap<TrailRead, Page<AuditTrail>>, Error> {
    let mut groups: HashMap<(&TrailFilter, &PageRequest), Vec<Uuid>> = HashMap::new();
    for (instance_id, filter, page) in reads {
        groups.entry((filter, page)).or_default().push(*instance_id);
    }
    let mut out = HashMap::with_capacity(reads.len());
    for ((filter, page), ids) in groups {
        for (id, trail) in of_instances(&mut *conn, organization_id, &ids, filter, page).await? {
            out.insert((id, filter.clone(), *page), trail);
        }
    }
    Ok(out)
}

/// One page of every event of the organization, instance-scoped or not, with the instance and
/// customer each is about when there is one.
pub async fn of_organization(
    conn: &mut PgConnection,
    organization_id: Uuid,
    filter: &TrailFilter,
    page: &PageRequest,
) -> Result<Page<OrganizationAuditTrail>, Error> {
    let sql = format!(
        "SELECT o.seq, o.id, o.instance_id, i.slug AS instance_slug, i.name AS instance_name,
                i.customer_id, c.slug AS customer_slug, c.name AS customer_name, o.event_name, o.event_type,
                o.data AS payload, o.occurred_at AS timestamp
           FROM outbox_events o
           LEFT JOIN instance i ON i.organization_id = o.organization_id AND i.id = o.instance_id
           LEFT JOIN customer c ON c.organization_id = i.organization_id AND c.id = i.customer_id
          WHERE o.organization_id = $1 {}",
        tail(2)
    );
    let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(organization_id);
    let rows: Vec<OrganizationAuditTrail> = bind(query, filter, page).fetch_all(conn).await?;
    Ok(Page::from_rows(rows, page, OrganizationAuditTrail::cursor))
}

/// `limit` and `cursor` of the organization-wide list: default 200, at most 1000.
pub fn organization_page(cursor: Option<&str>, limit: Option<&str>) -> Result<PageRequest, Error> {
    PageRequest::parse_within(cursor, limit, ORGANIZATION_DEFAULT_LIMIT, ORGANIZATION_MAX_LIMIT)
}
