//! The sign-in suite over HTTP, embedded adapters.

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let app = statx_tests::app::TestApp::local().await;
            statx_tests::e2e::$name(&app).await;
        }
    )*};
}

statx_tests::e2e_cases!(cases);
