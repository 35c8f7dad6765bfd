//! Lambda: the `list_stat_history` route of the StatX API (see `statx_core::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    statx_functions::serve("list_stat_history").await
}
