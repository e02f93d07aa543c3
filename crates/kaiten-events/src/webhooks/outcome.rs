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

impl Attempt {
    /// Not sent: the target or the endpoint's keys do not allow it.
    pub fn refused(at: DateTime<Utc>, error: String) -> Self {
        Self { at, duration: Duration::ZERO, status: None, error: Some(error), response: None, retry_after: None }
    }

    /// Sent, and no answer came.
    pub fn failed(at: DateTime<Utc>, duration: Duration, error: String) -> Self {
        Self { at, duration, status: None, error: Some(error), response: None, retry_after: None }
    }

    pub fn answered(
        at: DateTime<Utc>,
        duration: Duration,
        status: u16,
        response: String,
        retry_after: Option<Duration>,
    ) -> Self {
        let error = (!(200..300).contains(&status)).then(|| format!("answered {status}"));
        Self { at, duration, status: Some(status), error, response: Some(response), retry_after }
    }

    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records the attempt and the delivery's next state (`retry_in`: when to try again, `None`
/// for never); on failure, disables the endpoint if it has failed for `disable_after`.
pub async fn record(
    pool: &PgPool,
    delivery: &Due,
    attempt: &Attempt,
    retry_in: Option<Duration>,
    disable_after: Duration,
) -> Result<(), kaiten_kernel::Error> {
    let mut tx = pool.begin().await?;
    let outcome = if attempt.delivered() { "delivered" } else { "failed" };
    sqlx::query(
        "INSERT INTO webhook_attempt
             (organization_id, delivery_id, attempted_at, duration_ms, status_code, outcome, error, response)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(delivery.organization_id)
    .bind(delivery.id)
    .bind(attempt.at)
    .bind(i32::try_from(attempt.duration.as_millis()).unwrap_or(i32::MAX))
    .bind(attempt.status.map(i32::from))
    .bind(outcome)
    .bind(&attempt.error)
    .bind(&attempt.response)
    .execute(&mut *tx)
    .await?;
    let status = match (attempt.delivered(), retry_in) {
        (true, _) => "delivered",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    sqlx::query(
        "UPDATE webhook_delivery
            SET status = $2, attempts = attempts + 1, last_status_code = $3, updated_at = now(),
                next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + make_interval(secs => $4) END,
                delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
          WHERE id = $1",
    )
    .bind(delivery.id)
    .bind(status)
    .bind(attempt.status.map(i32::from))
    .bind(retry_in.unwrap_or_default().as_secs_f64())
    .execute(&mut *tx)
    .await?;
    if attempt.delivered() {
        sqlx::query("UPDATE webhook_endpoint SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL")
            .bind(delivery.endpoint_id)
            .execute(&mut *tx)
            .await?;
    } else {
        fail_endpoint(&mut tx, delivery, disable_after).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn fail_endpoint(
    tx: &mut sqlx::PgConnection,
    delivery: &Due,
    disable_after: Duration,
) -> Result<(), kaiten_kernel::Error> {
    let (failing_since, overdue): (DateTime<Utc>, bool) = sqlx::query_as(
        "UPDATE webhook_endpoint SET failing_since = coalesce(failing_since, now())
          WHERE id = $1
         RETURNING failing_since, NOT disabled AND failing_since < now() - make_interval(secs => $2)",
    )
    .bind(delivery.endpoint_id)
    .bind(disable_after.as_secs_f64())
    .fetch_one(&mut *tx)
    .await?;
    if !overdue {
        return Ok(());
    }
    let reason = format!("every delivery failed since {}", failing_since.to_rfc3339());
    let (url, description): (String, String) = sqlx::query_as(
        "UPDATE webhook_endpoint SET disabled = true, disabled_reason = $2, updated_at = now()
          WHERE id = $1 RETURNING url, description",
    )
    .bind(delivery.endpoint_id)
    .bind(&reason)
    .fetch_one(&mut *tx)
    .await?;
    tracing::warn!(endpoint = %delivery.endpoint_id, %failing_since, "webhooks: an endpoint kept failing; disabled");
    let event = ENDPOINT_DISABLED.with(&json!({
        "id": delivery.endpoint_id,
        "url": url,
        "description": description,
        "failingSince": failing_since,
        "reason": reason,
    }));
    uow::record_all(tx, delivery.organization_id, &[event]).await?;
    Ok(())
}
