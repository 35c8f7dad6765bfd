//! `Blobs` conformance: a presigned upload really stores the bytes, head reports them, a
//! presigned download returns them, delete removes them.

use statx_core::ports::{BlobMeta, Clock, SystemClock};

use super::{uid, Harness};
use crate::harness::case;

fn key() -> String {
    format!("att/{}/{}", uid(), uid())
}

#[case]
pub async fn upload_head_download_delete(h: &dyn Harness) {
    let blobs = h.blobs();
    let key = key();
    let body: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let before = SystemClock.now();
    let up = blobs
        .presign_upload(&key, "image/png", body.len() as u64, 300)
        .await
        .unwrap();
    assert!(up.url.starts_with("http"), "upload URL: not http(s)");
    assert_eq!(
        up.headers.get("content-type").map(String::as_str),
        Some("image/png")
    );
    assert_eq!(
        up.headers.get("content-length").map(String::as_str),
        Some("5000")
    );
    let lifetime = (up.expires_at - before).num_seconds();
    assert!((295..=305).contains(&lifetime), "expires in {lifetime}s");
    assert_eq!(blobs.head(&key).await.unwrap(), None);

    h.upload(&up, body.clone()).await.unwrap();
    assert_eq!(
        blobs.head(&key).await.unwrap(),
        Some(BlobMeta {
            size: 5000,
            content_type: Some("image/png".into()),
        })
    );
    let url = blobs.presign_download(&key, 60).await.unwrap();
    assert_eq!(h.download(&url).await.unwrap(), Some(body));

    // A second upload replaces the object.
    let up = blobs
        .presign_upload(&key, "text/plain", 3, 300)
        .await
        .unwrap();
    h.upload(&up, b"abc".to_vec()).await.unwrap();
    let meta = blobs.head(&key).await.unwrap().unwrap();
    assert_eq!(
        (meta.size, meta.content_type.as_deref()),
        (3, Some("text/plain"))
    );

    blobs.delete(&key).await.unwrap();
    assert_eq!(blobs.head(&key).await.unwrap(), None);
    assert_eq!(h.download(&url).await.unwrap(), None);
    // Deleting a missing object is fine.
    blobs.delete(&key).await.unwrap();
}

#[case]
pub async fn head_missing(h: &dyn Harness) {
    let blobs = h.blobs();
    assert_eq!(blobs.head(&key()).await.unwrap(), None);
    blobs.delete(&key()).await.unwrap();
}

#[case]
pub async fn expiry_bounds(h: &dyn Harness) {
    let blobs = h.blobs();
    let key = key();
    assert!(blobs.presign_upload(&key, "image/png", 1, 0).await.is_err());
    let eight_days = 8 * 24 * 3600;
    assert!(blobs
        .presign_upload(&key, "image/png", 1, eight_days)
        .await
        .is_err());
    assert!(blobs.presign_download(&key, eight_days).await.is_err());
    let week = 7 * 24 * 3600;
    let up = blobs
        .presign_upload(&key, "image/png", 1, week)
        .await
        .unwrap();
    let lifetime = (up.expires_at - SystemClock.now()).num_seconds();
    assert!((week as i64 - 10..=week as i64).contains(&lifetime));
    assert!(blobs.presign_download(&key, week).await.is_ok());
}

#[case]
pub async fn copy_keeps_bytes_and_type(h: &dyn Harness) {
    let blobs = h.blobs();
    let (from, to) = (key(), key());
    let body = b"%PDF-1.7 copy me".to_vec();
    let up = blobs
        .presign_upload(&from, "application/pdf", body.len() as u64, 300)
        .await
        .unwrap();
    h.upload(&up, body.clone()).await.unwrap();
    blobs.copy(&from, &to).await.unwrap();
    let meta = blobs.head(&to).await.unwrap().unwrap();
    assert_eq!(
        (meta.size, meta.content_type.as_deref()),
        (body.len() as u64, Some("application/pdf"))
    );
    let url = blobs.presign_download(&to, 60).await.unwrap();
    assert_eq!(h.download(&url).await.unwrap(), Some(body));
    assert!(
        blobs.head(&from).await.unwrap().is_some(),
        "the source stays"
    );
    assert!(
        blobs.copy(&key(), &key()).await.is_err(),
        "copying nothing fails"
    );
    blobs.delete(&from).await.unwrap();
    blobs.delete(&to).await.unwrap();
}
