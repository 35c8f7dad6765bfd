//! Lambda: the `preview_follow` route of the StatX API (see `statx_core::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    statx_functions::serve("preview_follow").await
}
