//! The sign-in suite over HTTP, AWS adapters against moto_server.

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let app = statx_tests::app::TestApp::aws().await;
            statx_tests::e2e::$name(&app).await;
        }
    )*};
}

statx_tests::e2e_cases!(cases);
