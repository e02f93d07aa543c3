//! Who is calling: built once by authentication, read by every handler.

use uuid::Uuid;

use crate::error::Error;
use crate::scope::has_scope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// A user or service account acting inside one organization.
    Organization { organization_id: Uuid },
    /// The platform identity `system:kaiten`, with no organization.
    Platform { platform_token_id: Uuid },
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    pub kind: PrincipalKind,
    /// Shared: a principal is cloned into every request it authenticates.
    pub scopes: std::sync::Arc<[String]>,
    /// The `ksh_`/`ksm_` token behind this principal, if it was a token.
    pub token_id: Option<Uuid>,
}

/// The fixed id of `system:kaiten`, created by the first migration.
pub const SYSTEM_USER_ID: Uuid = Uuid::from_u128(1);
pub const SYSTEM_SUBJECT: &str = "system:kaiten";

impl Principal {
    pub fn has_scope(&self, required: &str) -> bool {
        has_scope(&self.scopes, required)
    }

    pub fn require(&self, required: &str) -> Result<(), Error> {
        if self.has_scope(required) {
            Ok(())
        } else {
            Err(Error::forbidden("Auth.MissingScope", format!("missing required scope: {required}")))
        }
    }

    /// The organization every query of this caller is scoped to.
    pub fn organization_id(&self) -> Result<Uuid, Error> {
        match self.kind {
            PrincipalKind::Organization { organization_id } => Ok(organization_id),
            PrincipalKind::Platform { .. } => Err(Error::forbidden(
                "CurrentUser.PlatformPrincipalHasNoOrganization",
                "a platform credential carries no organization",
            )),
        }
    }

    pub fn platform_token_id(&self) -> Result<Uuid, Error> {
        match self.kind {
            PrincipalKind::Platform { platform_token_id } => Ok(platform_token_id),
            PrincipalKind::Organization { .. } => {
                Err(Error::forbidden("Auth.WrongCredentialKind", "this operation needs a platform credential"))
            }
        }
    }
}
