//! Push fan-out on the embedded store's change feed.

#[tokio::test]
async fn stat_changes_push_by_settings_and_mute() {
    statx_tests::notify::stat_changes_push_by_settings_and_mute(statx_tests::app::Kind::Local)
        .await;
}
