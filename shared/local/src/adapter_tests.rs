//! Tests of the outboxes, the blob files and `deps`.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use statx_core::ports::{
    BlobMeta, Blobs, Clock, ItemStore, Key, ManualClock, Push, PushError, PushMessage, PushOutcome,
    Sms,
};
use statx_core::Config;

use crate::*;

fn clock() -> Arc<ManualClock> {
    let start: DateTime<Utc> = "2026-11-25T08:00:00Z".parse().unwrap();
    Arc::new(ManualClock::new(start))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sms_outbox_lines() {
    let dir = tempfile::tempdir().unwrap();
    let sms = Arc::new(OutboxSms::new(dir.path(), clock(), false));
    assert!(read_sms_outbox(dir.path()).is_empty());
    sms.send("+15555550123", "Your StatX code is 123456")
        .await
        .unwrap();
    let path = dir.path().join("outbox/sms.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(
        line,
        serde_json::json!({
            "to": "+15555550123",
            "text": "Your StatX code is 123456",
            "sentAt": "2026-11-25T08:00:00Z"
        })
    );
    assert_eq!(mode(&path), 0o600);

    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let sms = sms.clone();
            let text = format!("message {i} {}", "x".repeat(5000));
            tokio::spawn(async move { sms.send("+15555550100", &text).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let all = read_sms_outbox(dir.path());
    assert_eq!(all.len(), 41);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 41);
    assert_eq!(all[0].sent_at, "2026-11-25T08:00:00Z");
}

#[tokio::test]
async fn push_outbox_and_disabled_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let push = OutboxPush::new(dir.path(), clock());
    assert_eq!(
        push.register("dev1", "WINDOWS", "tok").await,
        Err(PushError::Platform)
    );
    let endpoint = push.register("dev1", "APNS", "tok").await.unwrap();
    assert_eq!(endpoint, "dev1");
    let msg = PushMessage {
        title: "Stats".into(),
        body: "A stat changed".into(),
        data: BTreeMap::from([("groupId".to_string(), "g1".to_string())]),
    };
    assert_eq!(
        push.send("dev1", "APNS", &endpoint, &msg).await.unwrap(),
        PushOutcome::Delivered
    );
    assert_eq!(
        read_push_outbox(dir.path()),
        vec![serde_json::json!({
            "to": "dev1", "platform": "APNS", "title": "Stats", "body": "A stat changed",
            "data": {"groupId": "g1"}, "sentAt": "2026-11-25T08:00:00Z"
        })]
    );
    push.disable(&endpoint);
    assert_eq!(
        push.send("dev1", "APNS", &endpoint, &msg).await.unwrap(),
        PushOutcome::Disabled
    );
    assert_eq!(read_push_outbox(dir.path()).len(), 1);
    assert_eq!(
        push.send("dev1", "X", &endpoint, &msg).await,
        Err(PushError::Platform)
    );
    push.unregister(&endpoint).await.unwrap();
    assert_eq!(
        push.send("dev1", "GCM", &endpoint, &msg).await.unwrap(),
        PushOutcome::Delivered
    );
    push.disable(&endpoint);
    push.register("dev1", "GCM", "tok2").await.unwrap();
    assert_eq!(
        push.send("dev1", "GCM", &endpoint, &msg).await.unwrap(),
        PushOutcome::Delivered
    );
}

fn query_of(url: &str) -> (&str, &str) {
    let rest = url.strip_prefix("http://127.0.0.1:3000/_blobs/").unwrap();
    rest.split_once('?').unwrap()
}

#[tokio::test]
async fn blob_urls_are_signed_and_expire() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let blobs = FileBlobs::new(
        dir.path(),
        "http://127.0.0.1:3000/".into(),
        [9; 32],
        clock.clone(),
    );
    let up = blobs
        .presign_upload("g/abc/att_1", "image/svg+xml", 1234, 300)
        .await
        .unwrap();
    assert_eq!(up.expires_at, clock.now() + Duration::seconds(300));
    assert_eq!(up.headers["content-type"], "image/svg+xml");
    assert_eq!(up.headers["content-length"], "1234");
    let (key, q) = query_of(&up.url);
    assert_eq!(key, "g/abc/att_1");
    assert!(q.contains("ct=image%2Fsvg%2Bxml"), "{q}");
    let put = SignedOp::Put {
        content_type: "image/svg+xml".into(),
        len: 1234,
    };
    assert_eq!(blobs.verify(key, q).unwrap(), put);

    // Tampering with anything signed fails; so do other keys and another signing key.
    assert!(blobs
        .verify(key, &q.replace("len=1234", "len=9999"))
        .is_err());
    assert!(blobs
        .verify(key, &q.replace("ct=image%2Fsvg%2Bxml", "ct=text%2Fhtml"))
        .is_err());
    assert!(blobs.verify(key, &q.replace("op=put", "op=get")).is_err());
    assert!(blobs.verify("g/abc/att_2", q).is_err());
    let sig_at = q.find("sig=").unwrap() + 4;
    let mut flipped = q.to_string();
    let c = if &q[sig_at..sig_at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    flipped.replace_range(sig_at..sig_at + 1, c);
    assert!(blobs.verify(key, &flipped).is_err());
    assert!(blobs.verify(key, &format!("{q}&sig=00")).is_err());
    let other = FileBlobs::new(dir.path(), "http://x".into(), [8; 32], clock.clone());
    assert!(other.verify(key, q).is_err());

    let get_url = blobs.presign_download("g/abc/att_1", 60).await.unwrap();
    let (_, gq) = query_of(&get_url);
    assert_eq!(blobs.verify(key, gq).unwrap(), SignedOp::Get);
    clock.advance(Duration::seconds(60));
    assert_eq!(blobs.verify(key, gq).unwrap(), SignedOp::Get);
    clock.advance(Duration::seconds(1));
    assert!(blobs.verify(key, gq).is_err());
    assert!(blobs.verify(key, q).is_ok());
    clock.advance(Duration::seconds(300));
    assert!(blobs.verify(key, q).is_err());

    assert!(blobs.presign_download(key, 0).await.is_err());
    assert!(blobs.presign_download(key, 8 * 24 * 3600).await.is_err());
    assert!(blobs.presign_upload(key, "bad\ntype", 1, 60).await.is_err());
}

#[tokio::test]
async fn blob_files() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FileBlobs::new(dir.path(), "http://h".into(), [1; 32], clock());
    for bad in [
        "", "../x", "/abs", "a//b", "a/", "A", "a.b", "a/../b", "a b",
    ] {
        assert!(blobs.head(bad).await.is_err(), "{bad:?}");
        assert!(blobs.presign_download(bad, 60).await.is_err(), "{bad:?}");
        assert!(blobs.verify(bad, "op=get&exp=1&sig=00").is_err(), "{bad:?}");
    }
    assert_eq!(blobs.head("g/1").await.unwrap(), None);
    assert_eq!(blobs.read_object("g/1").await.unwrap(), None);
    blobs.delete("g/1").await.unwrap();

    blobs
        .write_object("g/1", "image/png", b"\x89PNG data")
        .await
        .unwrap();
    let path = dir.path().join("blobs/g/1");
    assert_eq!(std::fs::read(&path).unwrap(), b"\x89PNG data");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        blobs.head("g/1").await.unwrap(),
        Some(BlobMeta {
            size: 9,
            content_type: Some("image/png".into())
        })
    );
    blobs
        .write_object("g/1", "text/plain", b"hi")
        .await
        .unwrap();
    assert_eq!(
        blobs.read_object("g/1").await.unwrap(),
        Some(("text/plain".to_string(), b"hi".to_vec()))
    );
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("blobs/g"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    blobs.delete("g/1").await.unwrap();
    assert_eq!(blobs.head("g/1").await.unwrap(), None);
    // "g" is a directory, not an object.
    assert_eq!(blobs.head("g").await.unwrap(), None);
}

#[tokio::test]
async fn deps_build_everything_under_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().join("statx"),
        port: 3999,
        ..Config::default()
    };
    let first = {
        let local = deps(&config, clock(), false).unwrap();
        local
            .deps
            .store
            .put(
                statx_core::ports::store::item(&Key::new("P", "S"), []),
                statx_core::ports::Cond::None,
            )
            .await
            .unwrap();
        let url = local.deps.blobs.presign_download("a/b", 60).await.unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:3999/_blobs/a/b?op=get&exp="),
            "{url}"
        );
        let (_, q) = url.split_once('?').unwrap();
        assert_eq!(local.blobs.verify("a/b", q).unwrap(), SignedOp::Get);
        local.deps.sms.send("+15555550123", "hello").await.unwrap();
        (local.deps.crypto.blind_index("phone", b"+1"), url)
    };
    let root = dir.path().join("statx");
    assert_eq!(mode(&root), 0o700);
    assert_eq!(mode(&root.join("master.key")), 0o600);
    assert_eq!(mode(&root.join("store.redb")), 0o600);
    assert_eq!(read_sms_outbox(&root).len(), 1);

    // A restart finds the same key, data and URL signing key.
    let local = deps(&config, clock(), false).unwrap();
    assert_eq!(local.deps.crypto.blind_index("phone", b"+1"), first.0);
    assert!(local
        .store
        .get(&Key::new("P", "S"))
        .await
        .unwrap()
        .is_some());
    let (_, q) = first.1.split_once('?').unwrap();
    assert_eq!(local.blobs.verify("a/b", q).unwrap(), SignedOp::Get);
    assert_ne!(blob_signing_key(local.deps.crypto.as_ref()), [0; 32]);
}
