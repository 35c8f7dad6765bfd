//! Lambda: the `get_stat_settings` route of the StatX API (see `statx_core::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    statx_functions::serve("get_stat_settings").await
}
