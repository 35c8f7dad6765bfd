//! Groups, invitations, members, isolation and privacy suites, AWS adapters against moto_server.

macro_rules! cases {
    ($($module:ident :: $name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let app = statx_tests::groups::test_app(statx_tests::app::Kind::Aws).await;
            statx_tests::groups::$module::$name(&app).await;
        }
    )*};
}

statx_tests::groups_cases!(cases);
