//! The body of every Lambda `main`: build the ports once per cold start (AWS adapters), then
//! serve the one route of this function through the shared dispatch — or, for the functions
//! in `routes::ASYNC_FUNCTIONS`, handle their events (`finalize`, `notify`).

pub mod finalize;
pub mod notify;

use std::convert::Infallible;

use lambda_http::{service_fn, Error, Request};
use statx_core::http::{dispatch, routes};
use statx_core::Config;

/// Run the Lambda function `name` (its route from the route table).
pub async fn serve(name: &str) -> Result<(), Error> {
    statx_core::telemetry::init();
    let route = routes::by_function(name)
        .ok_or_else(|| format!("function {name} is not in the route table"))?;
    let config = Config::from_env()?;
    let deps = statx_aws::deps(&config).await?;
    lambda_http::run(service_fn(move |req: Request| {
        let deps = deps.clone();
        async move { Ok::<_, Infallible>(dispatch(&deps, route, req).await) }
    }))
    .await
}

/// Run `finalize_attachment`: S3 `Object Created` events (EventBridge or S3 notification shape).
pub async fn serve_finalize() -> Result<(), Error> {
    statx_core::telemetry::init();
    let config = Config::from_env()?;
    let deps = statx_aws::deps(&config).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
            let deps = deps.clone();
            async move {
                let outcomes = finalize::handle(&deps, &event.payload).await?;
                let names: Vec<String> = outcomes.iter().map(|o| format!("{o:?}")).collect();
                Ok::<_, Error>(serde_json::json!({ "outcomes": names }))
            }
        },
    ))
    .await
}

/// Run `notify`: DynamoDB Stream batches of the table, fanned out as pushes.
pub async fn serve_notify() -> Result<(), Error> {
    statx_core::telemetry::init();
    let config = Config::from_env()?;
    let deps = statx_aws::deps(&config).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
            let deps = deps.clone();
            async move { Ok::<_, Error>(notify::handle(&deps, &event.payload).await) }
        },
    ))
    .await
}
