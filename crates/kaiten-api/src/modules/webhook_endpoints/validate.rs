//! What an endpoint may be: an http(s) URL that is not on the server's own networks (unless
//! the operator allows it), and event types that exist.

use kaiten_events::webhooks::catalogue;
use kaiten_events::webhooks::target::{self, TargetError};
use kaiten_kernel::{Error, ErrorDetail};

use super::settings::WebhookSettings;

pub fn url(settings: &WebhookSettings, url: &str) -> Result<String, Error> {
    match target::check(url, settings.allow_private) {
        Ok(_) => Ok(url.to_owned()),
        Err(TargetError::Private) => Err(Error::unprocessable_rule(
            "WebhookEndpoint.PrivateTarget",
            "The URL targets a loopback, private or otherwise non-public address; \
             the server refuses those unless KAITEN_WEBHOOK_ALLOW_PRIVATE=true",
        )
        .with_errors(vec![detail("body.url", url, TargetError::Private)])),
        Err(err) => Err(Error::unprocessable_rule("WebhookEndpoint.InvalidUrl", err.to_string())
            .with_errors(vec![detail("body.url", url, err)])),
    }
}

fn detail(location: &str, value: &str, err: TargetError) -> ErrorDetail {
    ErrorDetail::new(location, err.to_string()).with_value(serde_json::Value::String(value.to_owned()))
}

/// The event filter as CloudEvents types, de-duplicated in the order given.
pub fn event_types(given: &[String]) -> Result<Vec<String>, Error> {
    let mut types: Vec<String> = Vec::with_capacity(given.len());
    let mut unknown = Vec::new();
    for (index, name) in given.iter().enumerate() {
        match catalogue::event_type(name) {
            Some(ty) if !types.iter().any(|t| t == ty) => types.push(ty.to_owned()),
            Some(_) => {}
            None => unknown.push(
                ErrorDetail::new(format!("body.eventTypes[{index}]"), "no such event")
                    .with_value(serde_json::Value::String(name.clone())),
            ),
        }
    }
    if unknown.is_empty() {
        Ok(types)
    } else {
        Err(Error::unprocessable_rule(
            "WebhookEndpoint.UnknownEventType",
            "eventTypes names an event that does not exist; use the names or types of the contract's webhooks",
        )
        .with_errors(unknown))
    }
}

/// The sealer, or the problem that says how to configure one.
pub fn sealer(settings: &WebhookSettings) -> Result<&kaiten_kernel::sealed::Sealer, Error> {
    settings.sealer.as_deref().ok_or_else(|| {
        Error::unavailable(
            "Webhooks.SecretKeyMissing",
            "Webhook secrets are encrypted with the server key: set KAITEN_SECRET_KEY (32 characters or more)",
        )
    })
}
