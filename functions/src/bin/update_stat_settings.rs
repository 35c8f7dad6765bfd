//! Lambda: the `update_stat_settings` route of the StatX API (see `statx_core::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    statx_functions::serve("update_stat_settings").await
}
