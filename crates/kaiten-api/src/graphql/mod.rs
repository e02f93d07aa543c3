//! The read-only GraphQL API (`/api/graphql`): the reference schema over the same data,
//! authentication and organization scoping as REST. No mutations, no subscriptions.

mod audit_query;
mod context;
pub mod gate;
mod loaders;
pub mod playground;
mod query;
mod release_loaders;
mod releases_query;
mod root;
mod scalars;
mod types;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, RawQuery, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaiten_kernel::Error;
use serde::Deserialize;
use sqlx::PgPool;

use crate::auth::Authenticator;
use context::RequestData;
use loaders::{Loaders, Scope};

pub type KaitenSchema = Schema<root::Query, EmptyMutation, EmptySubscription>;

/// The deepest selection a document may have, and the most it may cost (list fields charged
/// by fan-out; the original's limit).
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 400_000;
/// The longest one operation may run.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The schema and what the gate reads from it; built once.
pub struct Service {
    pub schema: KaitenSchema,
    types: gate::FieldTypes,
    pub introspection: bool,
}

impl Service {
    pub fn new(introspection: bool) -> Self {
        let mut builder = Schema::build(root::Query::default(), EmptyMutation, EmptySubscription)
            .limit_depth(MAX_DEPTH)
            .limit_complexity(MAX_COMPLEXITY)
            .limit_recursive_depth(64)
            .limit_directives(16)
            .disable_suggestions();
        if !introspection {
            builder = builder.disable_introspection();
        }
        let schema = builder.finish();
        let types = gate::FieldTypes::from_sdl(&schema.sdl());
        Self { schema, types, introspection }
    }
}

/// What the GraphQL routes read: their own state, beside (not inside) the REST one.
#[derive(Clone, FromRef)]
pub struct GraphqlState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    pub service: Arc<Service>,
}

/// `/graphql` and its playground, relative to the surface's `/api`.
pub fn router(state: GraphqlState) -> Router {
    Router::new()
        .route("/graphql", get(endpoint).post(endpoint))
        .route("/graphql/playground", get(playground::page))
        .route("/graphql/playground/{asset}", get(playground::asset))
        .with_state(state)
}

/// The schema in SDL, as `kaiten graphql-schema` prints it.
pub fn sdl() -> String {
    Service::new(true).schema.sdl()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlRequest {
    query: String,
    #[serde(default)]
    variables: Option<serde_json::Value>,
    #[serde(default)]
    operation_name: Option<String>,
}

/// `GET` (query string) and `POST` (JSON body) of a GraphQL request.
async fn endpoint(
    State(state): State<GraphqlState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    match execute(&state, &method, &headers, raw.as_deref(), &body).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn execute(
    state: &GraphqlState,
    method: &Method,
    headers: &HeaderMap,
    raw: Option<&str>,
    body: &[u8],
) -> Result<Response, Error> {
    let principal = state.auth.core(headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())).await?;
    let organization_id = principal.organization_id()?;
    let request = read(method, raw, body)?;
    gate::check_size(&request.query)?;
    let service = &state.service;
    let scope = Scope { pool: state.pool.clone(), organization_id };
    let mut graphql =
        async_graphql::Request::new(request.query).data(RequestData { loaders: Loaders::new(&scope), scope });
    if let Some(variables) = request.variables.filter(|v| !v.is_null()) {
        graphql = graphql.variables(async_graphql::Variables::from_json(variables));
    }
    if let Some(name) = request.operation_name {
        graphql = graphql.operation_name(name);
    }
    // Parsed once, for the gate and the executor; a document that does not parse is reported
    // by the executor, in GraphQL's own shape.
    if let Ok(document) = graphql.parsed_query() {
        gate::check(&service.types, document, &principal, MAX_DEPTH, service.introspection)?;
    }
    let response = tokio::time::timeout(TIMEOUT, service.schema.execute(graphql))
        .await
        .map_err(|_| Error::unavailable("GraphQL.Timeout", format!("the operation ran longer than {TIMEOUT:?}")))?;
    if let Some(limit) = refused_by_limit(&response) {
        return Err(limit);
    }
    Ok(Json(response).into_response())
}

/// A document refused by the depth or complexity limit (before anything ran) as the problem
/// the rest of the API would answer. The executor reports these only as messages; the tests
/// pin them, so a library upgrade that rewords them fails there, not silently here.
fn refused_by_limit(response: &async_graphql::Response) -> Option<Error> {
    if !matches!(response.data, async_graphql::Value::Null) {
        return None;
    }
    let message = response.errors.first()?.message.as_str();
    if message == "Query is too complex." {
        Some(Error::bad_request(
            "GraphQL.TooComplex",
            format!("the document costs more than {MAX_COMPLEXITY} (list fields count once per row they may return)"),
        ))
    } else if message == "Query is nested too deep." || message.starts_with("The recursion depth of the query") {
        Some(Error::bad_request("GraphQL.TooDeep", format!("the document nests deeper than {MAX_DEPTH} levels")))
    } else {
        None
    }
}

fn read(method: &Method, raw: Option<&str>, body: &[u8]) -> Result<GraphqlRequest, Error> {
    let invalid = |detail: String| Error::bad_request("GraphQL.InvalidRequest", detail);
    if method == Method::GET {
        let query =
            crate::http::query::param(raw, "query").ok_or_else(|| invalid("a query parameter is required".into()))?;
        let variables = match crate::http::query::param(raw, "variables") {
            Some(text) if !text.is_empty() => {
                Some(serde_json::from_str(&text).map_err(|e| invalid(format!("variables are not JSON: {e}")))?)
            }
            _ => None,
        };
        let operation_name = crate::http::query::param(raw, "operationName").filter(|n| !n.is_empty());
        return Ok(GraphqlRequest { query, variables, operation_name });
    }
    serde_json::from_slice(body).map_err(|e| invalid(format!("the body is not a GraphQL request: {e}")))
}
