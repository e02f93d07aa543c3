use async_graphql::SimpleObject;

use crate::graphql::scalars::UuidScalar;
use crate::modules::user_ref::UserRef;

/// A user reference (id + name)
#[derive(SimpleObject)]
pub struct User {
    pub id: UuidScalar,
    pub name: String,
}

impl From<&UserRef> for User {
    fn from(user: &UserRef) -> Self {
        User { id: UuidScalar(user.id), name: user.name.clone().unwrap_or_default() }
    }
}
