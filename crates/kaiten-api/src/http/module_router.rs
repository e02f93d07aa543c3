//! The signature of every module's `router()`, written once.

/// Declares `pub fn router<S>() -> OpenApiRouter<S>` for a module whose handlers read the pool,
/// the request-schema registry and the further `parts` of the surface's state, each through
/// `FromRef` (ADR 0014). The module never names the state itself:
///
/// ```ignore
/// crate::module_router!(needs [Arc<FlagRuntime>], OpenApiRouter::new().routes(routes!(get::endpoint)));
/// ```
#[macro_export]
macro_rules! module_router {
    (needs [$($part:ty),* $(,)?], $routes:expr) => {
        pub fn router<S>() -> utoipa_axum::router::OpenApiRouter<S>
        where
            S: Clone + Send + Sync + 'static,
            sqlx::PgPool: axum::extract::FromRef<S>,
            std::sync::Arc<$crate::http::schema_validation::SchemaRegistry>: axum::extract::FromRef<S>,
            $($part: axum::extract::FromRef<S>,)*
        {
            $routes
        }
    };
}
