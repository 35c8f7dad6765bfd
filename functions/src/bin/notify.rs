//! Lambda: `notify`, the DynamoDB Stream consumer that pushes stat changes to members and
//! followers (see `statx_functions::notify`). Not an HTTP route.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    statx_functions::serve_notify().await
}
