//! The Clerk event envelope `{ "type", "data", "object": "event" }` and the `data` of the
//! events that are applied. Clerk sends many more fields than these; the rest are ignored.
//! Every string is trimmed, and a blank one counts as absent.

use kaiten_kernel::Error;
use kaiten_kernel::principal::SYSTEM_SUBJECT;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A verified delivery's body, parsed.
#[derive(Debug)]
pub struct Envelope {
    /// Clerk's event type as sent (`user.created`, …), recorded in the inbox.
    pub event_type: String,
    pub event: ClerkEvent,
}

/// What an event asks for. Types not listed here are acknowledged and ignored.
#[derive(Debug, PartialEq)]
pub enum ClerkEvent {
    /// `user.created`, `user.updated`
    UserUpserted(User),
    /// `user.deleted`: the Clerk user id
    UserDeleted(String),
    /// `organization.created`, `organization.updated`
    OrganizationUpserted(OrganizationRef),
    /// `organization.deleted`: the Clerk organization id
    OrganizationDeleted(String),
    /// `organizationMembership.created`, `organizationMembership.updated`
    MembershipUpserted(Membership),
    /// `organizationMembership.deleted`
    MembershipDeleted(Membership),
    Other,
}

/// A user as Kaiten keeps it: the Clerk id, and an email and a name when Clerk has them.
#[derive(Debug, PartialEq)]
pub struct User {
    pub external_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, PartialEq)]
pub struct OrganizationRef {
    pub external_id: String,
    pub name: Option<String>,
}

#[derive(Debug, PartialEq)]
pub struct Membership {
    pub organization: OrganizationRef,
    pub user: User,
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "type")]
    event_type: String,
    data: Map<String, Value>,
    object: String,
}

#[derive(Deserialize)]
struct RawUser {
    id: String,
    #[serde(default)]
    email_addresses: Option<Vec<RawEmailAddress>>,
    #[serde(default)]
    primary_email_address_id: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Deserialize)]
struct RawEmailAddress {
    #[serde(default)]
    id: Option<String>,
    email_address: String,
}

/// `user.deleted` and `organization.deleted` carry a deleted object: `{ id, deleted, object }`.
#[derive(Deserialize)]
struct RawDeleted {
    id: String,
}

#[derive(Deserialize)]
struct RawOrganization {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawMembership {
    organization: RawOrganization,
    public_user_data: RawPublicUserData,
}

#[derive(Deserialize)]
struct RawPublicUserData {
    user_id: String,
    /// The user's primary identifier: usually an email address, else a phone number or username.
    #[serde(default)]
    identifier: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
}

/// Parses a verified body. Nothing has been written when this fails.
pub fn parse(body: &[u8]) -> Result<Envelope, Error> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| Error::bad_request("ClerkWebhook.InvalidJson", "the body is not a JSON document"))?;
    let raw: RawEnvelope = serde_json::from_value(value).map_err(|err| not_an_event(err.to_string()))?;
    if raw.object != "event" {
        return Err(not_an_event(format!("object is {:?}, expected \"event\"", raw.object)));
    }
    let event_type = raw.event_type.trim().to_owned();
    if event_type.is_empty() {
        return Err(not_an_event("type must not be blank".to_owned()));
    }
    let data = Value::Object(raw.data);
    let event = match event_type.as_str() {
        "user.created" | "user.updated" => ClerkEvent::UserUpserted(user(data_as::<RawUser>(&event_type, data)?)?),
        "user.deleted" => ClerkEvent::UserDeleted(user_id(data_as::<RawDeleted>(&event_type, data)?.id)?),
        "organization.created" | "organization.updated" => {
            ClerkEvent::OrganizationUpserted(organization(data_as::<RawOrganization>(&event_type, data)?)?)
        }
        "organization.deleted" => {
            ClerkEvent::OrganizationDeleted(required(data_as::<RawDeleted>(&event_type, data)?.id, "data.id")?)
        }
        "organizationMembership.created" | "organizationMembership.updated" => {
            ClerkEvent::MembershipUpserted(membership(data_as::<RawMembership>(&event_type, data)?)?)
        }
        "organizationMembership.deleted" => {
            ClerkEvent::MembershipDeleted(membership(data_as::<RawMembership>(&event_type, data)?)?)
        }
        _ => ClerkEvent::Other,
    };
    Ok(Envelope { event_type, event })
}

fn not_an_event(detail: String) -> Error {
    Error::bad_request("ClerkWebhook.InvalidEvent", format!("the body is not a Clerk event: {detail}"))
}

fn invalid_data(event_type: &str, detail: impl std::fmt::Display) -> Error {
    Error::bad_request("ClerkWebhook.InvalidEventData", format!("the data of {event_type}: {detail}"))
}

fn data_as<T: DeserializeOwned>(event_type: &str, data: Value) -> Result<T, Error> {
    serde_json::from_value(data).map_err(|err| invalid_data(event_type, err))
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn required(value: String, location: &str) -> Result<String, Error> {
    clean(Some(value))
        .ok_or_else(|| Error::bad_request("ClerkWebhook.InvalidEventData", format!("{location} must not be blank")))
}

/// A Clerk user id; `system:kaiten` is the platform identity's, which no event may touch.
fn user_id(value: String) -> Result<String, Error> {
    let id = required(value, "the user id")?;
    if id == SYSTEM_SUBJECT {
        return Err(Error::forbidden("ClerkWebhook.SystemProtected", "system:kaiten cannot be changed by Clerk"));
    }
    Ok(id)
}

/// "First Last", or only the one present.
fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    clean(Some(format!("{} {}", clean(first).unwrap_or_default(), clean(last).unwrap_or_default())))
}

fn user(raw: RawUser) -> Result<User, Error> {
    let addresses = raw.email_addresses.unwrap_or_default();
    let primary = clean(raw.primary_email_address_id);
    let email = addresses
        .iter()
        .find(|a| primary.is_some() && clean(a.id.clone()) == primary)
        .or_else(|| addresses.first())
        .and_then(|a| clean(Some(a.email_address.clone())));
    Ok(User {
        external_id: user_id(raw.id)?,
        email,
        name: full_name(raw.first_name, raw.last_name).or_else(|| clean(raw.username)),
    })
}

fn organization(raw: RawOrganization) -> Result<OrganizationRef, Error> {
    Ok(OrganizationRef { external_id: required(raw.id, "the organization id")?, name: clean(raw.name) })
}

fn membership(raw: RawMembership) -> Result<Membership, Error> {
    let data = raw.public_user_data;
    // Only an identifier that is an email address is one.
    let email = clean(data.identifier).filter(|i| i.contains('@'));
    Ok(Membership {
        organization: organization(raw.organization)?,
        user: User { external_id: user_id(data.user_id)?, email, name: full_name(data.first_name, data.last_name) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: Value) -> Result<ClerkEvent, Error> {
        parse(value.to_string().as_bytes()).map(|e| e.event)
    }

    #[test]
    fn a_user_gets_the_primary_email_and_a_name_from_what_clerk_has() {
        let created = event(json!({"object": "event", "type": "user.created", "data": {
            "id": " user_1 ", "first_name": "Ada", "last_name": null, "username": "ada",
            "primary_email_address_id": "idn_2",
            "email_addresses": [{"id": "idn_1", "email_address": "old@example.com"},
                                {"id": "idn_2", "email_address": "ada@example.com"}],
            "unknown": {"ignored": true}
        }}));
        assert_eq!(
            created.unwrap(),
            ClerkEvent::UserUpserted(User {
                external_id: "user_1".into(),
                email: Some("ada@example.com".into()),
                name: Some("Ada".into()),
            })
        );
        let bare = event(json!({"object": "event", "type": "user.updated", "data": {
            "id": "user_2", "first_name": "", "username": " lovelace ", "email_addresses": null
        }}));
        assert_eq!(
            bare.unwrap(),
            ClerkEvent::UserUpserted(User { external_id: "user_2".into(), email: None, name: Some("lovelace".into()) })
        );
        let nameless = event(json!({"object": "event", "type": "user.updated", "data": {"id": "user_3",
            "email_addresses": [{"id": "idn_9", "email_address": "first@example.com"}]}}));
        assert_eq!(
            nameless.unwrap(),
            ClerkEvent::UserUpserted(User {
                external_id: "user_3".into(),
                email: Some("first@example.com".into()),
                name: None,
            })
        );
    }

    #[test]
    fn memberships_take_the_identifier_only_when_it_is_an_email() {
        let data = |identifier: &str| {
            json!({"object": "event", "type": "organizationMembership.created", "data": {
                "role": "org:admin",
                "organization": {"id": "org_1", "name": "Acme", "slug": "acme"},
                "public_user_data": {"user_id": "user_1", "identifier": identifier,
                                     "first_name": "Ada", "last_name": "Lovelace"}
            }})
        };
        let ClerkEvent::MembershipUpserted(with_email) = event(data("ada@example.com")).unwrap() else { panic!() };
        assert_eq!(with_email.user.email.as_deref(), Some("ada@example.com"));
        assert_eq!(with_email.user.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(with_email.organization, OrganizationRef { external_id: "org_1".into(), name: Some("Acme".into()) });
        let ClerkEvent::MembershipUpserted(with_phone) = event(data("+15555550100")).unwrap() else { panic!() };
        assert_eq!(with_phone.user.email, None);
    }

    #[test]
    fn deletions_and_unknown_types() {
        let deleted = json!({"object": "event", "type": "user.deleted",
                             "data": {"id": "user_1", "deleted": true, "object": "user"}});
        assert_eq!(event(deleted).unwrap(), ClerkEvent::UserDeleted("user_1".into()));
        let org = json!({"object": "event", "type": "organization.deleted", "data": {"id": "org_1", "deleted": true}});
        assert_eq!(event(org).unwrap(), ClerkEvent::OrganizationDeleted("org_1".into()));
        let other = json!({"object": "event", "type": "session.created", "data": {"anything": 1}});
        assert_eq!(event(other).unwrap(), ClerkEvent::Other);
    }

    #[test]
    fn what_is_not_a_clerk_event_is_refused_with_a_code() {
        let code = |body: &[u8]| parse(body).unwrap_err().code().to_owned();
        assert_eq!(code(b"not json"), "ClerkWebhook.InvalidJson");
        assert_eq!(code(b"[1]"), "ClerkWebhook.InvalidEvent");
        assert_eq!(code(br#"{"type": "user.created", "data": {"id": "u"}}"#), "ClerkWebhook.InvalidEvent");
        assert_eq!(
            code(br#"{"type": "user.created", "data": {"id": "u"}, "object": "user"}"#),
            "ClerkWebhook.InvalidEvent"
        );
        assert_eq!(code(br#"{"type": "user.created", "data": [], "object": "event"}"#), "ClerkWebhook.InvalidEvent");
        assert_eq!(code(br#"{"type": " ", "data": {}, "object": "event"}"#), "ClerkWebhook.InvalidEvent");
        assert_eq!(
            code(br#"{"type": "user.created", "data": {}, "object": "event"}"#),
            "ClerkWebhook.InvalidEventData"
        );
        assert_eq!(
            code(br#"{"type": "user.created", "data": {"id": "  "}, "object": "event"}"#),
            "ClerkWebhook.InvalidEventData"
        );
        assert_eq!(
            code(
                br#"{"type": "organizationMembership.deleted", "data": {"organization": {"id": "o"}},
                      "object": "event"}"#
            ),
            "ClerkWebhook.InvalidEventData"
        );
        let system = br#"{"type": "user.updated", "data": {"id": "system:kaiten"}, "object": "event"}"#;
        assert_eq!(code(system), "ClerkWebhook.SystemProtected");
    }
}
