use tracing_subscriber::EnvFilter;

use crate::cli::LogArgs;

/// Logs go to stderr, so that command output (a token, a document) stays clean on stdout.
pub fn init(args: &LogArgs) {
    let filter = EnvFilter::try_new(&args.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if args.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
