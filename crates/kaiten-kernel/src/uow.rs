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
        let headers = event.instance_id.map(|id| serde_json::json!({ "instance_id": id }));
        sqlx::query(
            "INSERT INTO outbox_events (organization_id, event_name, event_type, data, headers)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(organization_id)
        .bind(event.name)
        .bind(event.event_type)
        .bind(&event.data)
        .bind(headers)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), Error> {
        self.tx.commit().await?;
        Ok(())
    }
}
