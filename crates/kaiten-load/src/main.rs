//! `kaiten-load`: loopback load on the hot paths of a running server, set up through its API
//! so it measures what a product sees. `usage`: N clients append usage reports. `ofrep`: flag
//! evaluation (single, bulk) against the server's own static route as the ceiling. `events`:
//! the event pipeline, commit to broker. `webhooks`: signed deliveries to a local receiver.

mod events;
mod ofrep;
mod run;
mod setup;
mod usage;
mod webhooks;

use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
pub struct Target {
    /// Core API base, e.g. http://127.0.0.1:6060
    #[arg(long)]
    core: String,
    /// Platform API base, e.g. http://127.0.0.1:6001
    #[arg(long)]
    platform: String,
    /// A platform credential (ksm_) that may mint organization tokens.
    #[arg(long, env = "KAITEN_PLATFORM_TOKEN")]
    platform_token: String,
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 30)]
    seconds: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Usage reports appended to M instances.
    Usage {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 100)]
        instances: usize,
    },
    /// OFREP evaluation: one flag with three CEL rules and a split, bulk of 50 flags, and the
    /// static ceiling, one after the other.
    Ofrep {
        #[command(flatten)]
        target: Target,
    },
    /// The event pipeline: customers created at a fixed rate, consumed from RabbitMQ and NATS.
    Events {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        /// The server's database: the ceiling phase commits events there directly, so it
        /// measures the pipeline rather than the API.
        #[arg(long, env = "BENCH_DATABASE_URL")]
        database_url: String,
    },
    /// Webhook delivery: events committed straight into the database, delivered to N endpoints
    /// on a receiver inside this process; paced, then a burst; and the receiver's own ceiling.
    Webhooks {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 10)]
        endpoints: u16,
        /// Events of the burst phase.
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        /// Events per second of the paced phase (each goes to every endpoint).
        #[arg(long, default_value_t = 50)]
        rate: u32,
        #[arg(long, env = "BENCH_DATABASE_URL")]
        database_url: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Usage { target, instances } => usage::run(&target, instances).await,
        Command::Ofrep { target } => ofrep::run(&target).await,
        Command::Events { target, rate, database_url } => events::run(&target, rate, &database_url).await,
        Command::Webhooks { target, endpoints, events, rate, database_url } => {
            webhooks::run(&target, endpoints, events, rate, &database_url).await
        }
    }
}
