//! `Sms` and `Push` conformance: what is sent arrives intact, to the right recipient only.

use std::collections::BTreeMap;

use statx_core::ports::{PushError, PushMessage, PushOutcome};

use super::{uid, unique_number, Harness, PushRecord};
use crate::harness::case;

#[case]
pub async fn sms_send_and_read_back(h: &dyn Harness) {
    let sms = h.sms();
    let (to, bystander) = (unique_number(), unique_number());
    assert!(h.sent_sms(&to).await.is_empty());
    sms.send(&to, "Your StatX code is 123456").await.unwrap();
    sms.send(&to, "Code 654321 — ünïcode ✓").await.unwrap();
    sms.send(&bystander, "someone else").await.unwrap();
    assert_eq!(
        h.sent_sms(&to).await,
        vec!["Your StatX code is 123456", "Code 654321 — ünïcode ✓"]
    );
    assert_eq!(h.sent_sms(&bystander).await, vec!["someone else"]);
}

fn message(n: u32) -> PushMessage {
    PushMessage {
        title: format!("Stat updated {n}"),
        body: format!("\"Sales\" is now shown — {n}"),
        data: BTreeMap::from([
            ("groupId".to_string(), uid()),
            ("statId".to_string(), uid()),
        ]),
    }
}

fn record(m: &PushMessage) -> PushRecord {
    PushRecord {
        title: m.title.clone(),
        body: m.body.clone(),
        data: m.data.clone(),
    }
}

fn token() -> String {
    format!("token-{}", uid())
}

#[case]
pub async fn push_register_send(h: &dyn Harness) {
    let push = h.push();
    for platform in ["GCM", "APNS", "APNS_SANDBOX"] {
        let device = uid();
        let endpoint = push.register(&device, platform, &token()).await.unwrap();
        assert!(!endpoint.is_empty());
        let (m1, m2) = (message(1), message(2));
        for m in [&m1, &m2] {
            assert_eq!(
                push.send(&device, platform, &endpoint, m).await.unwrap(),
                PushOutcome::Delivered
            );
        }
        let mut got = h.pushed(&device, &endpoint).await;
        got.sort_by(|a, b| a.title.cmp(&b.title));
        assert_eq!(got, vec![record(&m1), record(&m2)], "platform {platform}");
        push.unregister(&endpoint).await.unwrap();
        // Unregistering twice is fine.
        push.unregister(&endpoint).await.unwrap();
    }
}

#[case]
pub async fn push_register_idempotent(h: &dyn Harness) {
    let push = h.push();
    let (device, tok) = (uid(), token());
    let first = push.register(&device, "GCM", &tok).await.unwrap();
    let again = push.register(&device, "GCM", &tok).await.unwrap();
    assert_eq!(first, again);
    let other = push.register(&uid(), "GCM", &token()).await.unwrap();
    assert_ne!(first, other);
}

#[case]
pub async fn push_disabled_endpoint(h: &dyn Harness) {
    let push = h.push();
    let (device, tok) = (uid(), token());
    let endpoint = push.register(&device, "APNS", &tok).await.unwrap();
    h.disable_push(&endpoint).await;
    assert_eq!(
        push.send(&device, "APNS", &endpoint, &message(1))
            .await
            .unwrap(),
        PushOutcome::Disabled
    );
    assert!(h.pushed(&device, &endpoint).await.is_empty());
    // Registering the token again finds the same endpoint and (where the provider allows it)
    // enables it again.
    let again = push.register(&device, "APNS", &tok).await.unwrap();
    assert_eq!(again, endpoint);
    if h.reregister_enables() {
        assert_eq!(
            push.send(&device, "APNS", &again, &message(2))
                .await
                .unwrap(),
            PushOutcome::Delivered
        );
    }
}

#[case]
pub async fn push_unknown_platform(h: &dyn Harness) {
    let push = h.push();
    assert_eq!(
        push.register(&uid(), "WNS", &token()).await,
        Err(PushError::Platform)
    );
    let device = uid();
    let endpoint = push.register(&device, "GCM", &token()).await.unwrap();
    assert_eq!(
        push.send(&device, "BLACKBERRY", &endpoint, &message(1))
            .await,
        Err(PushError::Platform)
    );
}
