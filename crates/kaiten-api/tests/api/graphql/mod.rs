//! The read-only GraphQL API.

mod schema;
