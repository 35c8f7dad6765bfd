//! Stats, history, settings, concurrency and attachment suites, embedded adapters.

macro_rules! cases {
    ($($module:ident :: $name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let app = statx_tests::stats::test_app(statx_tests::app::Kind::Local).await;
            statx_tests::stats::$module::$name(&app).await;
        }
    )*};
}

statx_tests::stats_cases!(cases);
