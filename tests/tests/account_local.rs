//! Sign-in abuse limits, sessions and the account lifecycle, local adapters.

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            statx_tests::account::$name(statx_tests::app::Kind::Local).await;
        }
    )*};
}

statx_tests::account_cases!(cases);
