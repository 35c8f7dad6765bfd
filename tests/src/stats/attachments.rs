//! Attachments end to end: request an upload, PUT the bytes to the presigned URL over real
//! HTTP (the local server's /_blobs, or moto's S3), finalize (the embedded store's hook; on
//! moto the read that finds the object, or the Lambda handler fed an S3 event), download,
//! delete. Oversize and wrong-type requests are refused; uploads that do not match their
//! request are rejected and deleted.

use reqwest::StatusCode;
use serde_json::{json, Value};
use statx_core::ports::ItemExt;
use statx_core::stats::attachments::{self, Outcome};
use statx_core::store::keys;

use super::*;
use crate::harness::app::TestApp;
use crate::harness::case;

fn atts_path(gid: &str, sid: &str) -> String {
    format!("{}/attachments", stat_path(gid, sid))
}

/// Ask for an upload; returns the 201 body.
pub async fn request_upload(
    app: &TestApp,
    who: &User,
    gid: &str,
    sid: &str,
    name: &str,
    ct: &str,
    size: usize,
) -> Value {
    let r = app
        .post(
            &who.creds,
            &atts_path(gid, sid),
            json!({"fileName": name, "contentType": ct, "size": size}),
        )
        .await;
    let j = expect(&r, StatusCode::CREATED);
    assert_eq!(j["status"], "pending");
    assert_eq!(j["uploadMethod"], "PUT");
    assert!(
        !j["uploadUrl"].as_str().unwrap().contains(name),
        "the object key is not the file name"
    );
    j
}

/// PUT `body` to the presigned URL with the given content type (the one signed, or not).
pub async fn upload(app: &TestApp, grant: &Value, content_type: &str, body: Vec<u8>) -> StatusCode {
    let mut req = app.http.put(grant["uploadUrl"].as_str().unwrap());
    for (k, v) in grant["uploadHeaders"].as_object().unwrap() {
        // reqwest sets Content-Length from the body itself.
        if k != "content-length" && k != "content-type" {
            req = req.header(k.as_str(), v.as_str().unwrap());
        }
    }
    req.header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

fn att_path(gid: &str, sid: &str, aid: &str) -> String {
    format!("{}/{aid}", atts_path(gid, sid))
}

/// The object id behind an attachment (from its record).
pub async fn object_id(app: &TestApp, gid: &str, sid: &str, aid: &str) -> String {
    let rec = app
        .deps
        .store
        .get(&keys::attachment(gid, sid, aid))
        .await
        .unwrap()
        .expect("record");
    rec.s("objectId").unwrap().to_string()
}

/// Upload `body` as a ready text attachment; returns its download URL.
pub async fn ready_attachment(
    app: &TestApp,
    who: &User,
    gid: &str,
    sid: &str,
    body: Vec<u8>,
) -> String {
    ready_attachment_with_id(app, who, gid, sid, body).await.1
}

/// Upload `body` as a ready text attachment; returns its id and download URL.
pub async fn ready_attachment_with_id(
    app: &TestApp,
    who: &User,
    gid: &str,
    sid: &str,
    body: Vec<u8>,
) -> (String, String) {
    let grant = request_upload(app, who, gid, sid, "notes.txt", "text/plain", body.len()).await;
    assert_eq!(
        upload(app, &grant, "text/plain", body).await,
        StatusCode::OK
    );
    let a = expect(
        &app.get(&who.creds, &att_path(gid, sid, &id(&grant))).await,
        StatusCode::OK,
    );
    assert_eq!(a["status"], "ready", "{a}");
    (id(&grant), a["downloadUrl"].as_str().unwrap().to_string())
}

#[case]
pub async fn upload_finalize_download_delete(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let member = user(app, Some("Uma Uploader")).await;
    join(app, &admin, &gid, &member).await;
    let sid = number_stat(app, &admin, &gid, "With files").await;
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let grant = request_upload(
        app,
        &member,
        &gid,
        &sid,
        "Q3 report.pdf",
        "application/pdf",
        body.len(),
    )
    .await;
    let aid = id(&grant);
    assert_eq!(grant["uploadHeaders"]["content-type"], "application/pdf");
    chrono::DateTime::parse_from_rfc3339(grant["expiresAt"].as_str().unwrap()).unwrap();
    // Pending: not listed yet, no download URL.
    assert_eq!(
        expect(
            &app.get(&member.creds, &atts_path(&gid, &sid)).await,
            StatusCode::OK
        )["data"],
        json!([])
    );
    assert_eq!(
        upload(app, &grant, "application/pdf", body.clone()).await,
        StatusCode::OK
    );

    let a = expect(
        &app.get(&admin.creds, &att_path(&gid, &sid, &aid)).await,
        StatusCode::OK,
    );
    assert_eq!(a["status"], "ready", "{a}");
    assert_eq!(a["fileName"], "Q3 report.pdf");
    assert_eq!(a["size"], body.len());
    assert_eq!(a["uploadedBy"], "Uma Uploader");
    let url = a["downloadUrl"].as_str().unwrap();
    assert!(
        !url.contains("Q3"),
        "the download URL does not carry the file name"
    );
    let dl = app.http.get(url).send().await.unwrap();
    assert_eq!(dl.status(), StatusCode::OK);
    assert_eq!(dl.bytes().await.unwrap().to_vec(), body);
    let listed = expect(
        &app.get(&member.creds, &atts_path(&gid, &sid)).await,
        StatusCode::OK,
    );
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], aid.as_str());
    assert!(listed["data"][0].get("downloadUrl").is_none());
    // The upload left the quarantine prefix; the file name is sealed in the record.
    let obj = object_id(app, &gid, &sid, &aid).await;
    assert!(app
        .deps
        .blobs
        .head(&format!("pending/{obj}"))
        .await
        .unwrap()
        .is_none());
    assert!(app
        .deps
        .blobs
        .head(&format!("att/{obj}"))
        .await
        .unwrap()
        .is_some());
    let rec = app
        .deps
        .store
        .get(&keys::attachment(&gid, &sid, &aid))
        .await
        .unwrap()
        .unwrap();
    assert!(
        rec.s("fileName").is_none() && rec.b("fileName").is_some(),
        "file name sealed"
    );

    // Another member may not delete it; the uploader may.
    let other = user(app, None).await;
    join(app, &admin, &gid, &other).await;
    let before = app.store.writes();
    expect_error(
        &app.delete(&other.creds, &att_path(&gid, &sid, &aid)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(app.store.writes(), before);
    expect(
        &app.delete(&member.creds, &att_path(&gid, &sid, &aid)).await,
        StatusCode::OK,
    );
    expect_error(
        &app.get(&admin.creds, &att_path(&gid, &sid, &aid)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert!(app
        .deps
        .blobs
        .head(&format!("att/{obj}"))
        .await
        .unwrap()
        .is_none());
    assert!(app
        .deps
        .store
        .get(&keys::object_pointer(&obj))
        .await
        .unwrap()
        .is_none());
    assert_ne!(
        app.http.get(url).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        expect(
            &app.get(&member.creds, &atts_path(&gid, &sid)).await,
            StatusCode::OK
        )["data"],
        json!([])
    );
}

#[case]
pub async fn refused_and_rejected_uploads(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let sid = number_stat(app, &admin, &gid, "Files").await;
    let path = atts_path(&gid, &sid);
    for bad in [
        json!({"fileName": "big.pdf", "contentType": "application/pdf", "size": 25 * 1024 * 1024 + 1}),
        json!({"fileName": "empty.pdf", "contentType": "application/pdf", "size": 0}),
        json!({"fileName": "setup.exe", "contentType": "application/x-msdownload", "size": 10}),
        json!({"fileName": "page.html", "contentType": "text/html", "size": 10}),
        json!({"fileName": "../../etc/passwd", "contentType": "text/plain", "size": 10}),
        json!({"fileName": "", "contentType": "text/plain", "size": 10}),
        json!({"fileName": "a.txt", "contentType": "text/plain"}),
        json!({"fileName": "a.txt", "contentType": "text/plain", "size": -1}),
        json!({"fileName": "a.txt", "contentType": "text/plain", "size": 1, "path": "/x"}),
    ] {
        let before = app.store.writes();
        expect_error(
            &app.post(&admin.creds, &path, bad.clone()).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        );
        assert_eq!(app.store.writes(), before, "{bad} wrote");
    }
    // Exactly 25 MB may be requested.
    request_upload(
        app,
        &admin,
        &gid,
        &sid,
        "max.pdf",
        "application/pdf",
        25 * 1024 * 1024,
    )
    .await;

    // Uploads that do not match their request end rejected, their objects deleted.
    let declared = b"declared".to_vec();
    for (ct, body) in [
        ("text/plain", b"longer than declared".to_vec()),
        ("image/png", declared.clone()),
    ] {
        let grant = request_upload(
            app,
            &admin,
            &gid,
            &sid,
            "a.txt",
            "text/plain",
            declared.len(),
        )
        .await;
        let aid = id(&grant);
        let obj = object_id(app, &gid, &sid, &aid).await;
        let key = format!("pending/{obj}");
        match &app.local_blobs {
            Some(blobs) => {
                // The local URL itself refuses a different length or type...
                let status = upload(app, &grant, ct, body.clone()).await;
                assert!(
                    status == StatusCode::BAD_REQUEST || status == StatusCode::FORBIDDEN,
                    "{status}"
                );
                assert!(app.deps.blobs.head(&key).await.unwrap().is_none());
                // ...so play an S3 that stored a mismatched object, then its event.
                blobs.write_object(&key, ct, &body).await.unwrap();
                assert_eq!(
                    attachments::finalize(&app.deps, &key).await.unwrap(),
                    Outcome::Rejected
                );
            }
            // moto does not enforce presigned headers: the object lands, finalize rejects it.
            None => assert_eq!(upload(app, &grant, ct, body.clone()).await, StatusCode::OK),
        }
        let a = expect(
            &app.get(&admin.creds, &att_path(&gid, &sid, &aid)).await,
            StatusCode::OK,
        );
        assert_eq!(a["status"], "rejected", "{a}");
        assert!(a["reason"].is_string());
        assert!(a.get("downloadUrl").is_none());
        assert!(
            app.deps.blobs.head(&key).await.unwrap().is_none(),
            "rejected object deleted"
        );
        assert!(app
            .deps
            .blobs
            .head(&format!("att/{obj}"))
            .await
            .unwrap()
            .is_none());
    }
    assert_eq!(
        expect(&app.get(&admin.creds, &path).await, StatusCode::OK)["data"],
        json!([])
    );
    // A tampered local URL is refused outright.
    if app.local_blobs.is_some() {
        let grant = request_upload(app, &admin, &gid, &sid, "b.txt", "text/plain", 3).await;
        let mut g = grant.clone();
        g["uploadUrl"] = json!(grant["uploadUrl"]
            .as_str()
            .unwrap()
            .replace("len=3", "len=4"));
        assert_eq!(
            upload(app, &g, "text/plain", b"abcd".to_vec()).await,
            StatusCode::FORBIDDEN
        );
    }
}

/// The `finalize_attachment` Lambda's handler, fed the S3 event of infra/events (EventBridge
/// shape) for a real pending upload, and the classic S3 notification shape.
#[case]
pub async fn finalize_event_handler(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let sid = number_stat(app, &admin, &gid, "Events").await;
    let body = b"hello, world".to_vec();
    let grant = request_upload(
        app,
        &admin,
        &gid,
        &sid,
        "hello.txt",
        "text/plain",
        body.len(),
    )
    .await;
    let aid = id(&grant);
    let obj = object_id(app, &gid, &sid, &aid).await;
    let key = format!("pending/{obj}");
    match &app.local_blobs {
        // Bypass the local hook: the object arrives, the event has not run yet.
        Some(blobs) => blobs.write_object(&key, "text/plain", &body).await.unwrap(),
        None => assert_eq!(
            upload(app, &grant, "text/plain", body.clone()).await,
            StatusCode::OK
        ),
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../infra/events/finalize_attachment.json");
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    // Another bucket's object is none of ours.
    let outcomes = statx_functions::finalize::handle(&app.deps, &event)
        .await
        .unwrap();
    if app.deps.config.bucket != "statx-attachments" {
        assert_eq!(outcomes, [Outcome::Ignored]);
    }
    event["detail"]["bucket"]["name"] = json!(app.deps.config.bucket);
    event["detail"]["object"]["key"] = json!(key);
    let outcomes = statx_functions::finalize::handle(&app.deps, &event)
        .await
        .unwrap();
    assert_eq!(outcomes, [Outcome::Ready]);
    let a = expect(
        &app.get(&admin.creds, &att_path(&gid, &sid, &aid)).await,
        StatusCode::OK,
    );
    assert_eq!(a["status"], "ready");
    let dl = app
        .http
        .get(a["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(dl.bytes().await.unwrap().to_vec(), body);
    // Delivered again (at-least-once): nothing changes.
    assert_eq!(
        statx_functions::finalize::handle(&app.deps, &event)
            .await
            .unwrap(),
        [Outcome::Ignored]
    );
    // The S3 notification shape; an object nobody asked for is deleted.
    let stray = format!("pending/{}", crate::groups::random_id());
    let s3 = json!({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-25T08:00:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:X"}, "requestParameters": {"sourceIPAddress": "203.0.113.10"},
        "responseElements": {}, "s3": {"s3SchemaVersion": "1.0", "configurationId": "c",
        "bucket": {"name": app.deps.config.bucket, "arn": "arn:aws:s3:::b"},
        "object": {"key": stray, "size": 3, "eTag": "e", "sequencer": "1"}}}]});
    assert_eq!(
        statx_functions::finalize::handle(&app.deps, &s3)
            .await
            .unwrap(),
        [Outcome::Orphan]
    );
    assert!(
        statx_functions::finalize::handle(&app.deps, &json!({"hello": 1}))
            .await
            .is_err()
    );
}
