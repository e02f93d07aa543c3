//! The read-only GraphQL API.

mod audit;
mod client;
mod core;
mod releases;
mod schema;

use kaiten_testkit::{Reply, TestApp};
use serde_json::{Value, json};

/// A GraphQL request with `token`.
pub async fn gql(app: &TestApp, token: &str, query: &str, variables: Value) -> Reply {
    app.core("POST", "/graphql", Some(token), Some(json!({"query": query, "variables": variables}))).await
}

/// The `data` of a request that must succeed without errors.
pub async fn data(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let reply = gql(app, token, query, variables).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.body.get("errors").is_none(), "{}", reply.text);
    reply.body["data"].clone()
}
