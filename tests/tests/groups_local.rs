//! Groups, invitations, members, isolation and privacy suites, embedded adapters.

macro_rules! cases {
    ($($module:ident :: $name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let app = statx_tests::groups::test_app(statx_tests::app::Kind::Local).await;
            statx_tests::groups::$module::$name(&app).await;
        }
    )*};
}

statx_tests::groups_cases!(cases);
