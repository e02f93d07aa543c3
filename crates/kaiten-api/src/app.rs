//! Wiring: the Core router (public listener) and the Platform router (platform listener), each
//! with its own document, scope table and authenticator layer.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::HeaderName;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{any, get, post};
use serde_json::Value;
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::layer::{self, Gate};
use crate::auth::{Authenticator, JwtConfig};
use crate::graphql::{self, GraphqlState};
use crate::http::openapi::{self, Surface};
use crate::http::operations::OperationScopes;
use crate::http::schema_validation::SchemaRegistry;
use crate::http::{docs, health, middleware, schema_shapes, text_limits};
use crate::invalidation;
use crate::modules;
use crate::modules::featureflags::runtime::FlagRuntime;
use crate::modules::instances::usage::config::UsageConfig;
use crate::modules::webhook_endpoints::settings::WebhookSettings;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub jwt: JwtConfig,
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
    pub usage: UsageConfig,
    /// How long the `__kaiten` facts of a targeting key or instance are reused.
    pub flag_facts_ttl: Duration,
    pub webhooks: WebhookSettings,
    /// GraphQL introspection (and the `__schema` of tools): off unless asked for.
    pub graphql_introspection: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            jwt: JwtConfig::default(),
            request_timeout: Duration::from_secs(30),
            body_limit_bytes: 1 << 20,
            usage: UsageConfig::default(),
            flag_facts_ttl: Duration::from_secs(1),
            webhooks: WebhookSettings::default(),
            graphql_introspection: false,
        }
    }
}

/// What the REST handlers of one surface can reach. Handlers never name it: each takes the parts
/// it needs (`State<PgPool>`, `State<Arc<FlagRuntime>>`, ...) through `FromRef`, and each
/// module's router states those needs as bounds, so this composition root is the only place
/// that knows every part (docs/adr/0014).
#[derive(Clone, FromRef)]
struct AppState {
    pool: PgPool,
    schemas: Arc<SchemaRegistry>,
    usage: UsageConfig,
    flags: Arc<FlagRuntime>,
    webhooks: WebhookSettings,
    auth: Arc<Authenticator>,
}

pub struct Api {
    pub core: Router,
    pub platform: Router,
    pub auth: Arc<Authenticator>,
    pub flags: Arc<FlagRuntime>,
}

impl Api {
    /// The caches every replica must evict when another one commits a change.
    pub fn invalidation_targets(&self) -> invalidation::Targets {
        vec![
            (crate::auth::invalidation::CHANNEL, self.auth.clone() as Arc<dyn invalidation::Invalidate>),
            (modules::featureflags::repository::CHANGED, self.flags.cache.clone() as Arc<dyn invalidation::Invalidate>),
        ]
    }
}

fn core_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base(Surface::Core))
        .merge(modules::customers::router())
        .merge(modules::identity::router())
        .merge(modules::entitlements::router())
        .merge(modules::entitlement_groups::router())
        .merge(modules::licenses::router())
        .merge(modules::instances::router())
        .merge(modules::integration_links::router())
        .merge(modules::featureflags::router())
        .merge(modules::components::router())
        .merge(modules::releases::router())
        .merge(modules::deployment_zones::router())
        .merge(modules::webhook_endpoints::router())
}

fn platform_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base(Surface::Platform)).merge(modules::platform::router())
}

/// The published form of a generated document: common responses added, shapes straightened,
/// free text bounded.
fn publish(mut doc: OpenApi) -> Value {
    openapi::finish(&mut doc);
    let mut json = serde_json::to_value(&doc).unwrap_or_default();
    schema_shapes::straighten(&mut json);
    text_limits::bound(&mut json);
    json
}

/// The Core API document, as served at `/api/openapi.json`.
pub fn core_openapi() -> Value {
    publish(core_routes().into_openapi())
}

/// The Platform API document.
pub fn platform_openapi() -> Value {
    publish(platform_routes().into_openapi())
}

pub fn build(pool: PgPool, config: &ApiConfig) -> Api {
    let auth = Arc::new(Authenticator::new(pool.clone(), config.jwt.clone()));
    let flags = Arc::new(FlagRuntime::start(&pool, config.flag_facts_ttl));
    let graphql = GraphqlState {
        pool: pool.clone(),
        auth: auth.clone(),
        service: Arc::new(graphql::Service::new(config.graphql_introspection)),
    };

    let (core_router, core_doc) = split(core_routes());
    let core = Router::new()
        .nest(
            "/api",
            core_router
                .route_layer(from_fn_with_state(gate(&auth, &core_doc), layer::core))
                .route("/healthz", get(health::healthz))
                .route("/livez", get(health::livez))
                .route("/tokens/validate", any(modules::identity::validate::endpoint))
                .route("/webhooks/clerk", post(modules::clerk_webhooks::clerk::receive))
                .with_state(state(&pool, &auth, &flags, &core_doc, config))
                .merge(graphql::router(graphql)),
        )
        .merge(docs::router(core_doc, "/api"));

    let (platform_router, platform_doc) = split(platform_routes());
    let platform = Router::new()
        .nest(
            "/api",
            platform_router
                .route_layer(from_fn_with_state(gate(&auth, &platform_doc), layer::platform))
                .with_state(state(&pool, &auth, &flags, &platform_doc, config)),
        )
        .merge(docs::router(platform_doc, "/api/platform"));

    Api { core: common_layers(core, config), platform: common_layers(platform, config), auth, flags }
}

fn split(routes: OpenApiRouter<AppState>) -> (Router<AppState>, Value) {
    let (router, doc) = routes.split_for_parts();
    (router, publish(doc))
}

fn state(
    pool: &PgPool,
    auth: &Arc<Authenticator>,
    flags: &Arc<FlagRuntime>,
    doc: &Value,
    config: &ApiConfig,
) -> AppState {
    AppState {
        pool: pool.clone(),
        schemas: Arc::new(SchemaRegistry::from_openapi(doc)),
        usage: config.usage,
        flags: flags.clone(),
        webhooks: config.webhooks.clone(),
        auth: auth.clone(),
    }
}

/// The authentication layer's state: the scopes are read from the surface's own document.
fn gate(auth: &Arc<Authenticator>, doc: &Value) -> Gate {
    Gate { auth: auth.clone(), scopes: Arc::new(OperationScopes::from_openapi(doc)) }
}

fn common_layers(router: Router, config: &ApiConfig) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let timeout = config.request_timeout;
    router
        .fallback(middleware::not_found)
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(from_fn(move |req, next| middleware::request_timeout(timeout, req, next)))
        .layer(from_fn(middleware::refuse_nul))
        .layer(from_fn(middleware::finish_problems))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
