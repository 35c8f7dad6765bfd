//! Push fan-out on the embedded store's change feed.

#[tokio::test]
async fn stat_changes_push_by_settings_and_mute() {
    statx_tests::notify::stat_changes_push_by_settings_and_mute(statx_tests::app::Kind::Local)
        .await;
}

#[tokio::test]
async fn chat_messages_push_to_the_others() {
    statx_tests::notify::chat_messages_push_to_the_others(statx_tests::app::Kind::Local).await;
}

#[tokio::test]
async fn follower_thread_pushes_to_the_other_side() {
    statx_tests::notify::follower_thread_pushes_to_the_other_side(statx_tests::app::Kind::Local)
        .await;
}
