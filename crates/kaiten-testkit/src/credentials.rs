use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::{JWT_SECRET, TestApp};

/// An organization with a full-access `ksh_` token.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub external_id: String,
    pub token: String,
}

impl TestApp {
    /// Ensures an organization and mints it a token with every scope.
    pub async fn org(&self, external_id: &str) -> Org {
        let reply = self
            .platform(
                "POST",
                "/platform/organizations",
                Some(&self.platform_token),
                Some(json!({ "externalId": external_id })),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let id = reply.body["id"].as_str().expect("id").to_owned();
        let token = self.mint(&id, None).await;
        Org { id, external_id: external_id.to_owned(), token }
    }

    /// Mints an organization token with these scopes (all of the platform token's if `None`).
    pub async fn mint(&self, org_id: &str, scopes: Option<&[&str]>) -> String {
        let mut body = json!({ "name": format!("t-{}", uuid::Uuid::new_v4().simple()) });
        if let Some(scopes) = scopes {
            body["scopes"] = json!(scopes);
        }
        let reply = self
            .platform(
                "POST",
                &format!("/platform/organizations/{org_id}/tokens"),
                Some(&self.platform_token),
                Some(body),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body["token"].as_str().expect("token").to_owned()
    }

    /// A JWT signed with the test secret, valid for an hour.
    pub fn jwt(&self, subject: &str, external_org_id: &str, scopes: &[&str]) -> String {
        self.jwt_with(json!({ "sub": subject, "kaiten_external_org_id": external_org_id, "scopes": scopes }))
    }

    /// A JWT with exactly these claims (plus `exp` in an hour if absent).
    pub fn jwt_with(&self, mut claims: Value) -> String {
        if claims.get("exp").is_none() {
            claims["exp"] = json!(chrono::Utc::now().timestamp() + 3600);
        }
        encode(&Header::default(), &claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).expect("sign")
    }
}
