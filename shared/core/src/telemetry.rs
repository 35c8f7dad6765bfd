//! Logs: JSON lines on stderr, one field set per request span (request id, function). Log
//! statements never carry phone numbers, codes, tokens or user content (tested).

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Install the JSON subscriber writing to `writer`; `RUST_LOG` filters (default `info`).
/// Safe to call more than once: later calls are ignored.
pub fn init_with<W>(writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_writer(writer)
        .try_init();
}

/// JSON logs to stderr (Lambda forwards them to CloudWatch).
pub fn init() {
    init_with(std::io::stderr);
}
