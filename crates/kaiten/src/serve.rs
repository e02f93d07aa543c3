use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kaiten_api::ApiConfig;
use kaiten_api::invalidation;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cli::ServeArgs;
use crate::{database, outbox, startup_checks, tasks, webhooks};

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    startup_checks::check(&args)?;
    let db = database::open(&args.database).await?;
    let config = ApiConfig {
        jwt: kaiten_api::auth::JwtConfig {
            secret: args.jwt_secret.clone(),
            jwks_url: args.jwks_url.clone(),
            issuer: args.jwt_issuer.clone(),
            audience: args.jwt_audience.clone(),
        },
        request_timeout: Duration::from_secs(args.request_timeout),
        body_limit_bytes: args.body_limit,
        usage: kaiten_api::modules::instances::usage::config::UsageConfig {
            #[allow(clippy::cast_precision_loss)]
            idempotency_window_secs: (args.usage_idempotency_window_hours * 3600) as f64,
            max_closures: args.usage_rollover_max_closures,
        },
        flag_facts_ttl: Duration::from_millis(args.flag_facts_ttl_ms),
        webhooks: webhooks::settings(&args.webhooks, &args.database)?,
        graphql_introspection: args.graphql_introspection,
    };
    // The fan-out needs no key, and only the relay's leader runs it: every replica installs it
    // (unless webhooks are off), or a leader without a key would confirm events it never queued.
    let mut in_process: kaiten_events::Sinks = Vec::new();
    if args.webhooks.webhooks {
        in_process.push(Arc::new(kaiten_events::webhooks::fanout::FanOut::new(db.pool.clone())));
    }
    // Before the listeners open: the WAL slot must exist before the first write it has to carry.
    let pipeline = outbox::start(&db, &args.outbox, in_process).await?;
    let dispatcher = match args.webhooks.webhooks {
        true => webhooks::start(&db.pool, &config.webhooks, webhooks::dispatch_config(&args.webhooks)?)?,
        false => None,
    };
    let api = kaiten_api::build(db.pool.clone(), &config);
    let listener_task = invalidation::spawn_listener(db.pool.clone(), api.invalidation_targets());
    let metrics = pipeline.metrics.clone();
    let platform_router = api.platform.route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics.render()) }
        }),
    );

    let public_addr = SocketAddr::new(args.host, args.port);
    let platform_addr = SocketAddr::new(args.platform_host, args.platform_port);
    let public = TcpListener::bind(public_addr).await.with_context(|| format!("cannot listen on {public_addr}"))?;
    let platform =
        TcpListener::bind(platform_addr).await.with_context(|| format!("cannot listen on {platform_addr}"))?;
    tracing::info!(
        public = %public.local_addr()?, platform = %platform.local_addr()?,
        startup_ms = started.elapsed().as_millis(), "kaiten is serving"
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let serve = |listener: TcpListener, router: axum::Router, mut stop: watch::Receiver<bool>| {
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await
        })
    };
    let public_task = serve(public, api.core, stop_rx.clone());
    let platform_task = serve(platform, platform_router, stop_rx);

    shutdown_signal().await;
    tracing::info!("shutting down: no new connections; finishing in-flight requests");
    let _ = stop_tx.send(true);
    let grace = Duration::from_secs(args.shutdown_grace);
    if tokio::time::timeout(grace, async {
        let _ = public_task.await;
        let _ = platform_task.await;
    })
    .await
    .is_err()
    {
        tracing::warn!(grace_secs = args.shutdown_grace, "in-flight requests did not finish in time; stopping anyway");
    }
    // Everything that holds a connection stops before the database does.
    pipeline.stop().await;
    tasks::stop([Some(listener_task), dispatcher].into_iter().flatten()).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
