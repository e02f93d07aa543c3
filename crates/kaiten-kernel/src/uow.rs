//! Unit of Work: one transaction, in which domain writes and their outbox events commit
//! together or not at all. Nothing publishes from a handler directly.

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::error::Error;
use crate::event::Event;

pub struct Uow {
    tx: Transaction<'static, Postgres>,
}

impl Uow {
    pub async fn begin(pool: &PgPool) -> Result<Self, Error> {
        Ok(Self { tx: pool.begin().await? })
    }

    /// The connection to run this unit's queries on.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Writes the event into `outbox_events` inside this transaction.
    pub async fn record(&mut self, organization_id: Uuid, event: Event) -> Result<(), Error> {
        self.record_all(organization_id, vec![event]).await
    }

    /// Writes the events, in this order, in one statement.
    pub async fn record_all(&mut self, organization_id: Uuid, events: Vec<Event>) -> Result<(), Error> {
        record_all(&mut self.tx, organization_id, &events).await
    }

    pub async fn commit(self) -> Result<(), Error> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// The statement that inserts events into the outbox, in order (`seq` follows the array
/// order), with its parameters numbered from `first`; it can end a larger statement whose
/// CTEs write the rows the events are about. [`bind_events`] fills the parameters.
pub fn outbox_insert_sql(first: usize) -> String {
    let [org, names, types, data, instances, at] = std::array::from_fn(|i| first + i);
    format!(
        "INSERT INTO outbox_events (organization_id, event_name, event_type, data, instance_id, occurred_at)
         SELECT ${org}::uuid, name, type, data, instance, COALESCE(at, clock_timestamp())
           FROM unnest(${names}::text[], ${types}::text[], ${data}::jsonb[], ${instances}::uuid[], ${at}::timestamptz[])
                WITH ORDINALITY AS e(name, type, data, instance, at, n)
          ORDER BY n"
    )
}

/// Binds the parameters of [`outbox_insert_sql`], after the statement's own.
pub fn bind_events<'q>(
    query: sqlx::query::Query<'q, Postgres, <Postgres as sqlx::Database>::Arguments>,
    organization_id: Uuid,
    events: &'q [Event],
) -> sqlx::query::Query<'q, Postgres, <Postgres as sqlx::Database>::Arguments> {
    query
        .bind(organization_id)
        .bind(events.iter().map(|e| e.name).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.event_type).collect::<Vec<_>>())
        .bind(events.iter().map(|e| &e.data).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.instance_id).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.occurred_at).collect::<Vec<_>>())
}

/// Inserts `events` into the outbox on `conn`, in order.
pub async fn record_all(conn: &mut PgConnection, organization_id: Uuid, events: &[Event]) -> Result<(), Error> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = outbox_insert_sql(1);
    bind_events(sqlx::query(sqlx::AssertSqlSafe(sql)), organization_id, events).execute(conn).await?;
    Ok(())
}
