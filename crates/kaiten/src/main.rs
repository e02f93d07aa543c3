//! `kaiten`: the control plane in one binary.

mod cli;
mod database;
mod outbox;
mod platform_token;
mod serve;
mod startup_checks;
mod tasks;
mod telemetry;
mod webhooks;

use clap::Parser;

use cli::{Cli, Command};

// glibc's allocator spends a fifth of a flag evaluation's time in malloc/free under
// concurrency (measured with perf on bench/ofrep); mimalloc's per-thread heaps do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("kaiten: cannot start the runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(*args).await,
            Command::Migrate(db) => database::migrate_only(&db).await,
            Command::PlatformToken(args) => platform_token::run(args).await,
            Command::Outbox(command) => outbox::command(command).await,
            Command::GraphqlSchema => {
                print!("{}", kaiten_api::graphql::sdl());
                Ok(())
            }
            Command::Openapi(args) => {
                let doc = if args.platform { kaiten_api::platform_openapi() } else { kaiten_api::core_openapi() };
                println!(
                    "{}",
                    if args.yaml { yaml_serde::to_string(&doc)? } else { serde_json::to_string_pretty(&doc)? }
                );
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kaiten: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
