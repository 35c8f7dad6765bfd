//! Sign-in abuse limits, sessions and the account lifecycle, aws adapters.

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            statx_tests::account::$name(statx_tests::app::Kind::Aws).await;
        }
    )*};
}

statx_tests::account_cases!(cases);
