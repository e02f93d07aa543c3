//! Everything an accepted or refused report changes, written in one statement.

use chrono::{DateTime, Utc};
use kaiten_kernel::OnConstraint;
use kaiten_kernel::event::Event;
use kaiten_kernel::uow::{bind_events, outbox_insert_sql};
use kaiten_kernel::{Error, Uow};
use uuid::Uuid;

use super::context::{self, Context};
use super::fold::Counter;
use super::schema::Behavior;
use crate::modules::entitlements::period::Window;
use crate::modules::entitlements::value::EntitlementValue;

pub struct LedgerRow<'a> {
    pub behavior: Behavior,
    pub value: f64,
    pub before: f64,
    pub after: Counter,
    /// The threshold and overage percent; `None` when unlimited.
    pub cap: Option<(f64, Option<i16>)>,
    pub transaction_id: Option<&'a str>,
    pub properties: Option<&'a serde_json::Value>,
}

/// Everything a report changes, written in one statement.
pub struct Write<'a> {
    pub ctx: &'a Context,
    pub organization_id: Uuid,
    pub now: DateTime<Utc>,
    pub window: Option<Window>,
    pub counter: Option<Counter>,
    pub report_seq: i64,
    pub ledger: Option<LedgerRow<'a>>,
    pub events: &'a [Event],
}

impl Write<'_> {
    pub async fn execute(&self, uow: &mut Uow) -> Result<(), Error> {
        let sql = format!(
            "WITH counter AS (
                INSERT INTO entitlement_usage (instance_id, entitlement_id, organization_id, value, period_start,
                                               report_seq, updated_at)
                SELECT $1, $2, $3, $4, $5, $6, $7 WHERE $4::jsonb IS NOT NULL
                ON CONFLICT (entitlement_id, instance_id) DO UPDATE
                   SET value = EXCLUDED.value, period_start = EXCLUDED.period_start,
                       report_seq = EXCLUDED.report_seq, updated_at = EXCLUDED.updated_at
             ), ledger AS (
                INSERT INTO usage_ledger (organization_id, instance_id, entitlement_id, license_id, report_seq,
                                          reported_at, window_start, window_end, behavior, aggregation_method,
                                          reported_value, value_before, value_after, event_count_after,
                                          limit_value, overage_percent, transaction_id, properties)
                SELECT $3, $1, $2, $8, $6, $7, $5, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
                 WHERE $10::text IS NOT NULL
             )
             {}",
            outbox_insert_sql(20)
        );
        let ctx = self.ctx;
        let ledger = self.ledger.as_ref();
        let counter = self.counter.map(|c| EntitlementValue::counted(c.value, c.event_count).to_json());
        let query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ctx.instance_id)
            .bind(ctx.entitlement_id)
            .bind(self.organization_id)
            .bind(counter)
            .bind(self.window.map(|w| w.start))
            .bind(self.report_seq)
            .bind(self.now)
            .bind(ctx.license_id)
            .bind(self.window.map(|w| w.end))
            .bind(ledger.map(|l| l.behavior.as_str()))
            .bind(ctx.aggregation_method)
            .bind(ledger.map(|l| l.value))
            .bind(ledger.map(|l| l.before))
            .bind(ledger.map(|l| l.after.value))
            .bind(ledger.map(|l| l.after.event_count))
            .bind(ledger.and_then(|l| l.cap).map(|c| c.0))
            .bind(ledger.map(|l| l.cap.map_or(-1, |c| c.1.unwrap_or(0))))
            .bind(ledger.and_then(|l| l.transaction_id))
            .bind(ledger.and_then(|l| l.properties));
        bind_events(query, self.organization_id, self.events).execute(uow.conn()).await.on_constraint(
            // The instance was deleted while this report waited for its pair.
            "entitlement_usage_instance_fkey",
            || context::context_not_found(&ctx.instance_id.to_string(), &ctx.entitlement_slug),
        )?;
        Ok(())
    }
}
