//! The event pipeline in the server: the relay, its sinks, retention and metrics; and
//! `kaiten outbox status`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use kaiten_events::nats::NatsSink;
use kaiten_events::rabbitmq::RabbitSink;
use kaiten_events::retention::{self, Retention};
use kaiten_events::{Metrics, Mode, RelayConfig, Sinks, relay, status, wal};
use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::cli::{OutboxArgs, OutboxCommand};
use crate::database::{self, Database};

const DAY: Duration = Duration::from_secs(86_400);

/// The running pipeline; dropping it does not stop it, [`Pipeline::stop`] does.
pub struct Pipeline {
    pub metrics: Arc<Metrics>,
    tasks: Vec<JoinHandle<()>>,
}

impl Pipeline {
    /// Returns once the relay and its connections are gone, so that the database can be
    /// stopped after it without the relay seeing its lock connection die (and warning).
    pub async fn stop(self) {
        crate::tasks::stop(self.tasks).await;
    }
}

/// Prepares the capture (before the server accepts writes) and starts the relay and retention.
/// `in_process` are the sinks inside this server (the webhook fan-out).
pub async fn start(db: &Database, args: &OutboxArgs, in_process: Sinks) -> anyhow::Result<Pipeline> {
    let metrics = Arc::new(Metrics::default());
    let wanted = match args.outbox_mode.as_str() {
        "off" => {
            tracing::warn!("outbox relay: off (KAITEN_OUTBOX_MODE=off): events are recorded, nothing publishes them");
            return Ok(Pipeline { metrics, tasks: Vec::new() });
        }
        "poll" => Mode::Poll,
        _ => Mode::Wal,
    };
    let mut sinks = in_process;
    if let Some(url) = &args.rabbitmq_url {
        sinks.push(Arc::new(RabbitSink::new(url.clone(), args.rabbitmq_debezium_envelope)));
    }
    if let Some(url) = &args.nats_url {
        sinks.push(Arc::new(NatsSink::new(url.clone())));
    }
    if sinks.is_empty() {
        // Relaying to nobody would confirm events no sink ever saw: a broker configured later
        // would miss them. Nothing is captured until there is somewhere to publish.
        tracing::info!(
            "outbox relay: no broker configured (KAITEN_RABBITMQ_URL, KAITEN_NATS_URL) and webhooks are off; \
             events stay recorded, nothing relays them"
        );
        return Ok(Pipeline { metrics, tasks: Vec::new() });
    }
    let mode = relay::prepare(&db.pool, wanted).await?;
    let mut config = RelayConfig::new(db.url.clone(), mode);
    config.batch_max = args.outbox_batch.max(1);
    let relay = tokio::spawn(supervised(db.pool.clone(), config, mode, sinks, metrics.clone()));
    let retention = Retention {
        events: DAY * u32::try_from(args.outbox_retention_days).unwrap_or(u32::MAX),
        audit: args.audit_retention_days.map(|days| DAY * u32::try_from(days).unwrap_or(u32::MAX)),
    };
    let sweeper = tokio::spawn(sweep_hourly(db.pool.clone(), retention, mode == Mode::Poll));
    Ok(Pipeline { metrics, tasks: vec![relay, sweeper] })
}

/// The relay, restarted should it ever end (a panic in a sink or a broker client included):
/// a relay that is gone would otherwise hold no lock and publish nothing, silently. It runs
/// inside this task (not a task of its own), so stopping this task stops the relay.
async fn supervised(pool: PgPool, config: RelayConfig, mode: Mode, sinks: Sinks, metrics: Arc<Metrics>) {
    loop {
        let run = relay::run(pool.clone(), config.clone(), mode, sinks.clone(), metrics.clone());
        if let Err(panic) = AssertUnwindSafe(run).catch_unwind().await {
            metrics.set_leader(false);
            let message = panic.downcast_ref::<&str>().copied().or(panic.downcast_ref::<String>().map(String::as_str));
            tracing::error!(panic = message.unwrap_or("(no message)"), "the outbox relay died; restarting it");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn sweep_hourly(pool: PgPool, retention: Retention, polling: bool) {
    loop {
        match retention::sweep(&pool, retention, polling).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "outbox retention: expired events deleted"),
            Err(err) => tracing::warn!(error = %err, "outbox retention failed; retrying in an hour"),
        }
        match retention::sweep_webhooks(&pool, retention.events).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "webhook retention: old messages and inbox ids deleted"),
            Err(err) => tracing::warn!(error = %err, "webhook retention failed; retrying in an hour"),
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

pub async fn command(command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::Status { database, json } => {
            let db = database::open(&database).await?;
            let slot = wal::slot_name(&db.pool).await?;
            let has_slot: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)")
                    .bind(&slot)
                    .fetch_one(&db.pool)
                    .await?;
            let report = status::read(&db.pool, has_slot.then_some(slot.as_str())).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", text(&report));
            }
            db.close().await;
            Ok(())
        }
    }
}

fn text(report: &status::Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    match &report.slot {
        Some(slot) => {
            let _ = writeln!(
                out,
                "mode: wal\nslot: {} ({})\nconfirmed: {}\ncurrent WAL: {}\nlag: {} bytes",
                slot.name,
                if slot.active { "active" } else { "inactive: no relay is connected" },
                slot.confirmed_flush_lsn.as_deref().unwrap_or("-"),
                slot.current_wal_lsn,
                report.lag_bytes.unwrap_or(0)
            );
        }
        None => {
            let _ = writeln!(out, "mode: poll (no replication slot)");
        }
    }
    let _ = writeln!(out, "lag: {} events\nquarantined: {}", report.lag_events, report.quarantined);
    if report.sinks.is_empty() {
        let _ = writeln!(out, "sinks: none has published yet");
    }
    for sink in &report.sinks {
        let _ = writeln!(
            out,
            "sink {}: last publish {} (seq {}), {} events in total",
            sink.sink,
            sink.published_at.to_rfc3339(),
            sink.last_seq,
            sink.published_total
        );
    }
    out
}
