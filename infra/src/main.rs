//! `statx-local-api`: the StatX API on 127.0.0.1:3000 (`STATX_PORT`) with the embedded
//! adapters under `./.statx` (`STATX_DATA_DIR`), or with the AWS adapters when
//! `STATX_BACKEND=aws` (for moto_server or a real account, through the standard AWS env).

use std::sync::Arc;

use statx_core::ports::SystemClock;
use statx_core::Config;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    statx_core::telemetry::init();
    let config = Config::from_env()?;
    let aws = std::env::var("STATX_BACKEND").is_ok_and(|b| b == "aws");
    let (deps, blobs) = if aws {
        (statx_aws::deps(&config).await?, None)
    } else {
        let local = statx_local::deps(&config, Arc::new(SystemClock), true)?;
        statx_local_api::spawn_change_feed(&local.store, local.deps.clone());
        (local.deps, Some(local.blobs))
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    println!(
        "StatX local API on http://{}: {}",
        listener.local_addr()?,
        statx_local_api::startup_note(aws, &config.data_dir)
    );
    statx_local_api::serve_with_blobs(listener, deps, blobs).await?;
    Ok(())
}
