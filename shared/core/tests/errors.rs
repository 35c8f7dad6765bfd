//! The status table never downgrades: an error keeps its status (and its Retry-After) whichever
//! feature's error enum it passes through on its way to a response.

use http::StatusCode;
use statx_core::chat::ChatError;
use statx_core::follow::FollowError;
use statx_core::groups::GroupError;
use statx_core::http::ApiError;
use statx_core::stats::StatError;
use statx_core::Fault;

/// Every way a group error reaches a response: directly, or through a feature built on groups.
fn through_every_feature(make: impl Fn() -> GroupError) -> Vec<(&'static str, ApiError)> {
    vec![
        ("groups", ApiError::from(make())),
        ("stats", ApiError::from(StatError::from(make()))),
        ("follow", ApiError::from(FollowError::from(make()))),
        ("chat", ApiError::from(ChatError::from(make()))),
    ]
}

#[test]
fn a_throttled_group_check_stays_429_with_its_retry_after() {
    for (feature, e) in through_every_feature(|| GroupError::Throttled { retry_after: 7 }) {
        assert_eq!(e.parts().0, StatusCode::TOO_MANY_REQUESTS, "{feature}");
        assert_eq!(e.retry_after(), Some(7), "{feature}");
    }
}

#[test]
fn not_found_conflict_and_faults_keep_their_status() {
    let cases: [(fn() -> GroupError, StatusCode); 3] = [
        (|| GroupError::NotFound, StatusCode::NOT_FOUND),
        (|| GroupError::Conflict("rule"), StatusCode::CONFLICT),
        (
            || GroupError::Fault(Fault::Contention),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    ];
    for (make, status) in cases {
        for (feature, e) in through_every_feature(make) {
            assert_eq!(e.parts().0, status, "{feature}: {e:?}");
        }
    }
}
