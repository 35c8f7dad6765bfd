//! Lambda: the `delete_attachment` route of the StatX API (see `statx_core::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    statx_functions::serve("delete_attachment").await
}
