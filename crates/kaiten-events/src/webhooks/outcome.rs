//! What one attempt came to, and how it moves its delivery and endpoint on: delivered (a 2xx),
//! retried later, or failed for good; an endpoint failing without a break for too long is
//! disabled, announced by an event.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kaiten_kernel::uow;
use serde_json::json;
use sqlx::PgPool;

use super::catalogue::ENDPOINT_DISABLED;
use super::dispatch::Due;

#[derive(Debug)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub duration: Duration,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub response: Option<String>,
    pub retry_after: Option<Duration>,
}

/// Text as PostgreSQL can store it: a receiver answering NUL must not make the outcome
/// unrecordable (the delivery would be sent again every lease, for ever).
fn storable(text: String) -> String {
    if text.contains('\0') { text.replace('\0', "") } else { text }
}

impl Attempt {
    /// Not sent: the target or the endpoint's keys do not allow it.
    pub fn refused(at: DateTime<Utc>, error: String) -> Self {
        Self::failed(at, Duration::ZERO, error)
    }

    /// Sent, and no answer came.
    pub fn failed(at: DateTime<Utc>, duration: Duration, error: String) -> Self {
        Self { at, duration, status: None, error: Some(storable(error)), response: None, retry_after: None }
    }

    pub fn answered(
        at: DateTime<Utc>,
        duration: Duration,
        status: u16,
        response: String,
        retry_after: Option<Duration>,
    ) -> Self {
        let error = (!(200..300).contains(&status)).then(|| format!("answered {status}"));
        Self { at, duration, status: Some(status), error, response: Some(storable(response)), retry_after }
    }

    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records the attempt and the delivery's next state (`retry_in`: when to try again, `None`
/// for never) and starts or ends the endpoint's failing streak, in one statement (one round
/// trip: this runs once per delivery); on failure, disables the endpoint if its streak (as it
/// was before this attempt) is older than `disable_after`.
pub async fn record(
    pool: &PgPool,
    delivery: &Due,
    attempt: &Attempt,
    retry_in: Option<Duration>,
    disable_after: Duration,
) -> Result<(), kaiten_kernel::Error> {
    let status = match (attempt.delivered(), retry_in) {
        (true, _) => "delivered",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    // Everything hangs on the delivery update, which holds only while this worker's lease does.
    let overdue: Option<bool> = sqlx::query_scalar(
        "WITH delivery AS (
             UPDATE webhook_delivery
                SET status = $6, attempts = attempts + 1, last_status_code = $5, updated_at = now(),
                    next_attempt_at = CASE WHEN $6 = 'pending' THEN now() + make_interval(secs => $9) END,
                    delivered_at = CASE WHEN $6 = 'delivered' THEN now() ELSE delivered_at END
              WHERE id = $2 AND status = 'pending' AND next_attempt_at = $12
             RETURNING id),
         attempt AS (
             INSERT INTO webhook_attempt
                 (organization_id, delivery_id, attempted_at, duration_ms, status_code, outcome, error, response)
             SELECT $1, id, $3, $4, $5, CASE WHEN $6 = 'delivered' THEN 'delivered' ELSE 'failed' END, $7, $8
               FROM delivery),
         endpoint AS (
             -- Written only when the streak starts or ends: every delivery of an endpoint
             -- rewriting its row would make that row the hottest lock in the database.
             UPDATE webhook_endpoint
                SET failing_since = CASE WHEN $6 = 'delivered' THEN NULL ELSE now() END
              WHERE id = $10 AND EXISTS (SELECT 1 FROM delivery)
                AND CASE WHEN $6 = 'delivered' THEN failing_since IS NOT NULL ELSE failing_since IS NULL END)
         SELECT $6 <> 'delivered' AND NOT disabled
                AND coalesce(failing_since < now() - make_interval(secs => $11), false)
           FROM webhook_endpoint WHERE id = $10 AND EXISTS (SELECT 1 FROM delivery)",
    )
    .bind(delivery.organization_id)
    .bind(delivery.id)
    .bind(attempt.at)
    .bind(i32::try_from(attempt.duration.as_millis()).unwrap_or(i32::MAX))
    .bind(attempt.status.map(i32::from))
    .bind(status)
    .bind(&attempt.error)
    .bind(&attempt.response)
    .bind(retry_in.unwrap_or_default().as_secs_f64())
    .bind(delivery.endpoint_id)
    .bind(disable_after.as_secs_f64())
    .bind(delivery.lease)
    .fetch_optional(pool)
    .await?;
    let Some(overdue) = overdue else {
        tracing::info!(delivery = %delivery.id, "webhooks: a lease ran out before its outcome was recorded; another attempt owns it");
        return Ok(());
    };
    if overdue {
        disable(pool, delivery, disable_after).await?;
    }
    Ok(())
}

/// Disables an endpoint that kept failing, and announces it, in one transaction.
async fn disable(pool: &PgPool, delivery: &Due, disable_after: Duration) -> Result<(), kaiten_kernel::Error> {
    let mut tx = pool.begin().await?;
    let disabled: Option<(String, String, DateTime<Utc>)> = sqlx::query_as(
        "UPDATE webhook_endpoint
            SET disabled = true, updated_at = now(),
                disabled_reason = 'every delivery failed since ' || to_char(failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
          WHERE id = $1 AND NOT disabled AND failing_since < now() - make_interval(secs => $2)
         RETURNING url, description, failing_since",
    )
    .bind(delivery.endpoint_id)
    .bind(disable_after.as_secs_f64())
    .fetch_optional(&mut *tx)
    .await?;
    // Another worker may have disabled it first: then it has announced it too.
    let Some((url, description, failing_since)) = disabled else { return Ok(()) };
    tracing::warn!(endpoint = %delivery.endpoint_id, %failing_since, "webhooks: an endpoint kept failing; disabled");
    let event = ENDPOINT_DISABLED.with(&json!({
        "id": delivery.endpoint_id,
        // The origin only: a URL's path or query may carry a credential of the receiver's.
        "url": origin(&url),
        "description": description,
        "failingSince": failing_since,
        "reason": "every delivery failed for longer than the allowed period",
    }));
    uow::record_all(&mut tx, delivery.organization_id, &[event]).await?;
    super::queue::park(&mut tx, delivery.endpoint_id).await?;
    tx.commit().await?;
    Ok(())
}

fn origin(url: &str) -> String {
    url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}
