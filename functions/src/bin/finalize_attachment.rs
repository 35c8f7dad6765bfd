//! Lambda: `finalize_attachment`, the S3 `Object Created` event handler that checks an upload
//! against its attachment record (see `statx_functions::finalize`). Not an HTTP route.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    statx_functions::serve_finalize().await
}
