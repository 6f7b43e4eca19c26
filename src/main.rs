//! The `talent-api` binary: parse the command line, set up logging, run the command.

use std::{io::IsTerminal, process::ExitCode};

use clap::Parser;
use talent_api::{
    cli::{Cli, LogFormat},
    commands,
};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system allocator: answering a query allocates and frees many small
/// values (one per field), which glibc's malloc serves slower and leaves fragmented across
/// threads (docs/decisions/0005-mimalloc.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A log line that cannot be written (stderr closed) is dropped: reporting that on stderr
    // would panic the request that logged it.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .log_internal_errors(false);
    match cli.log_format {
        LogFormat::Pretty => logs.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => logs.json().with_current_span(true).init(),
    }
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
