//! `POST /api/webhooks/clerk`: Clerk's user, organization and membership events, signed by
//! Svix, applied to the rows JIT provisioning and the Platform API write. Public (no bearer):
//! the signature is the authentication. Each message id is applied at most once: the
//! `webhook_inbox` row and the changes commit together.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::Utc;
use kaiten_events::webhooks::signing::{SigningKey, verify};
use kaiten_kernel::Error;
use kaiten_kernel::Uow;
use serde::Serialize;
use sqlx::PgPool;

use super::apply::{self, Effect};
use super::clerk_events::{self, Envelope};
use crate::auth::Authenticator;
use crate::invalidation::Invalidate;
use crate::modules::webhook_endpoints::settings::WebhookSettings;

/// The `webhook_inbox.source` of Clerk's messages.
pub const SOURCE: &str = "clerk";
/// How far the signed timestamp may be from now, either way, in seconds (Svix's tolerance).
pub const TOLERANCE_SECS: u64 = 5 * 60;
/// The longest message id kept in the inbox.
const MAX_ID_LEN: usize = 255;

/// The answer to a delivery that was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// Whether this delivery changed anything.
    pub applied: bool,
    /// The message id was already applied: nothing was done again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
    /// An event type that is not applied; it is recorded all the same.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignored: bool,
}

pub async fn receive(
    State(pool): State<PgPool>,
    State(auth): State<Arc<Authenticator>>,
    State(settings): State<WebhookSettings>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Receipt>, Error> {
    let Some(key) = settings.clerk_secret.clone() else {
        return Err(Error::not_found("ClerkWebhook.NotConfigured", "the Clerk webhook is not configured"));
    };
    let delivery = Delivery::from_headers(&headers)?;
    delivery.verify(&key, &body, Utc::now().timestamp())?;
    let envelope = clerk_events::parse(&body)?;
    let receipt = match process(&pool, &auth, &delivery, &envelope).await {
        Err(err) if err.code() == apply::RETRY => process(&pool, &auth, &delivery, &envelope).await,
        other => other,
    }?;
    if receipt.duplicate {
        tracing::info!(message_id = %delivery.id, event_type = %envelope.event_type, "clerk webhook already applied");
    } else if receipt.ignored {
        tracing::debug!(message_id = %delivery.id, event_type = %envelope.event_type, "clerk webhook ignored");
    } else {
        tracing::info!(message_id = %delivery.id, event_type = %envelope.event_type, "clerk webhook applied");
    }
    Ok(Json(receipt))
}

/// Records the message id and applies the event, in one transaction.
async fn process(
    pool: &PgPool,
    auth: &Authenticator,
    delivery: &Delivery,
    envelope: &Envelope,
) -> Result<Receipt, Error> {
    let mut uow = Uow::begin(pool).await?;
    let recorded = sqlx::query(
        "INSERT INTO webhook_inbox (source, message_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(SOURCE)
    .bind(&delivery.id)
    .bind(&envelope.event_type)
    .execute(uow.conn())
    .await?;
    if recorded.rows_affected() == 0 {
        return Ok(Receipt { applied: false, duplicate: true, ignored: false });
    }
    let effect = apply::apply(uow.conn(), &envelope.event).await?;
    uow.commit().await?;
    if effect == Effect::AppliedInvalidating {
        // This replica forgets at once; the others when the NOTIFY queued above arrives.
        auth.evict_everything();
    }
    Ok(Receipt { applied: effect != Effect::Ignored, duplicate: false, ignored: effect == Effect::Ignored })
}

/// The Svix headers of a delivery (or their Standard Webhooks aliases `webhook-*`).
#[derive(Debug)]
struct Delivery {
    id: String,
    timestamp: i64,
    /// Space-separated `v1,<base64>` signatures. Never logged.
    signature: String,
}

impl Delivery {
    fn from_headers(headers: &HeaderMap) -> Result<Self, Error> {
        let id = header(headers, "id")?;
        let timestamp = header(headers, "timestamp")?;
        let signature = header(headers, "signature")?;
        if id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
            return Err(invalid_headers("svix-id is not a message id"));
        }
        let timestamp = timestamp
            .parse::<i64>()
            .map_err(|_| invalid_headers("svix-timestamp is not a number of seconds since the epoch"))?;
        Ok(Self { id: id.to_owned(), timestamp, signature: signature.to_owned() })
    }

    /// Refuses a timestamp out of tolerance, then a signature that is not the key's.
    fn verify(&self, key: &SigningKey, body: &[u8], now: i64) -> Result<(), Error> {
        if now.abs_diff(self.timestamp) > TOLERANCE_SECS {
            return Err(Error::unauthorized(
                "ClerkWebhook.StaleTimestamp",
                "svix-timestamp is more than 5 minutes away from the server's time",
            ));
        }
        if !verify(key, &self.signature, &self.id, self.timestamp, body) {
            return Err(Error::unauthorized("ClerkWebhook.InvalidSignature", "no signature matches the message"));
        }
        Ok(())
    }
}

/// `svix-<name>`, else `webhook-<name>`: present, text and not blank.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, Error> {
    let svix = format!("svix-{name}");
    let value = headers.get(svix.as_str()).or_else(|| headers.get(format!("webhook-{name}").as_str()));
    let Some(value) = value else {
        return Err(Error::bad_request("ClerkWebhook.MissingHeaders", format!("the {svix} header is required")));
    };
    let text = value.to_str().map_err(|_| invalid_headers(&format!("{svix} is not text")))?.trim();
    if text.is_empty() {
        return Err(invalid_headers(&format!("{svix} must not be blank")));
    }
    Ok(text)
}

fn invalid_headers(detail: &str) -> Error {
    Error::bad_request("ClerkWebhook.InvalidHeaders", detail.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use kaiten_events::webhooks::signing::sign;

    const NOW: i64 = 1_700_000_000;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn code(result: Result<impl std::fmt::Debug, Error>) -> String {
        result.unwrap_err().code().to_owned()
    }

    #[test]
    fn svix_and_standard_webhooks_headers_are_both_read() {
        let key = SigningKey::generate();
        let signature = sign(std::slice::from_ref(&key), "msg_1", NOW, b"{}");
        for prefix in ["svix", "webhook"] {
            let id = format!("{prefix}-id");
            let ts = format!("{prefix}-timestamp");
            let sig = format!("{prefix}-signature");
            let mut map = HeaderMap::new();
            map.insert(axum::http::HeaderName::from_bytes(id.as_bytes()).unwrap(), HeaderValue::from_static("msg_1"));
            map.insert(axum::http::HeaderName::from_bytes(ts.as_bytes()).unwrap(), HeaderValue::from(NOW));
            map.insert(
                axum::http::HeaderName::from_bytes(sig.as_bytes()).unwrap(),
                HeaderValue::from_str(&signature).unwrap(),
            );
            let delivery = Delivery::from_headers(&map).unwrap();
            assert_eq!((delivery.id.as_str(), delivery.timestamp), ("msg_1", NOW));
            delivery.verify(&key, b"{}", NOW).unwrap();
        }
    }

    #[test]
    fn missing_and_garbled_headers_are_400() {
        let sig = "v1,AAAA";
        assert_eq!(code(Delivery::from_headers(&headers(&[]))), "ClerkWebhook.MissingHeaders");
        let no_signature = headers(&[("svix-id", "msg"), ("svix-timestamp", "1")]);
        assert_eq!(code(Delivery::from_headers(&no_signature)), "ClerkWebhook.MissingHeaders");
        let not_a_number = headers(&[("svix-id", "msg"), ("svix-timestamp", "yesterday"), ("svix-signature", sig)]);
        assert_eq!(code(Delivery::from_headers(&not_a_number)), "ClerkWebhook.InvalidHeaders");
        let blank_id = headers(&[("svix-id", " "), ("svix-timestamp", "1"), ("svix-signature", sig)]);
        assert_eq!(code(Delivery::from_headers(&blank_id)), "ClerkWebhook.InvalidHeaders");
        let long = "m".repeat(MAX_ID_LEN + 1);
        let long_id = headers(&[("svix-id", &long), ("svix-timestamp", "1"), ("svix-signature", sig)]);
        assert_eq!(code(Delivery::from_headers(&long_id)), "ClerkWebhook.InvalidHeaders");
    }

    #[test]
    fn the_timestamp_must_be_within_five_minutes_either_way_and_the_signature_the_keys() {
        let key = SigningKey::generate();
        let delivery = |timestamp: i64, signature: String| Delivery { id: "msg_1".into(), timestamp, signature };
        let signed = |timestamp: i64| sign(std::slice::from_ref(&key), "msg_1", timestamp, b"{}");
        for skew in [-300, 0, 300] {
            delivery(NOW + skew, signed(NOW + skew)).verify(&key, b"{}", NOW).unwrap();
        }
        for skew in [-301, 301, -360, i64::MIN / 2] {
            let refused = delivery(NOW + skew, signed(NOW + skew)).verify(&key, b"{}", NOW);
            assert_eq!(code(refused), "ClerkWebhook.StaleTimestamp", "{skew}");
        }
        let other = SigningKey::generate();
        let refused = delivery(NOW, signed(NOW)).verify(&other, b"{}", NOW);
        assert_eq!(code(refused), "ClerkWebhook.InvalidSignature");
        let refused = delivery(NOW, signed(NOW)).verify(&key, b"{ }", NOW);
        assert_eq!(code(refused), "ClerkWebhook.InvalidSignature");
        let refused = delivery(NOW, "v2,whatever".into()).verify(&key, b"{}", NOW);
        assert_eq!(code(refused), "ClerkWebhook.InvalidSignature");
    }
}
