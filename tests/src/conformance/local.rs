//! The conformance harness over the embedded adapters (`statx-local`) in a temporary data
//! directory. Presigned blob URLs are checked and served the way the local API server does
//! (`FileBlobs::verify`, then `write_object` / `read_object`), without starting the server.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use statx_core::ports::{Blobs, Crypto, ItemStore, PresignedUpload, Push, Sms, SystemClock};
use statx_local::{FileBlobs, OutboxPush, OutboxSms, RedbStore, SignedOp};

use super::{Harness, PushRecord};

pub struct LocalHarness {
    dir: tempfile::TempDir,
    store: Arc<RedbStore>,
    sms: Arc<OutboxSms>,
    push: Arc<OutboxPush>,
    blobs: Arc<FileBlobs>,
}

impl LocalHarness {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(SystemClock);
        let store = RedbStore::open(&dir.path().join(statx_local::STORE_FILE)).expect("open redb");
        Self {
            store: Arc::new(store),
            sms: Arc::new(OutboxSms::new(dir.path(), clock.clone(), false)),
            push: Arc::new(OutboxPush::new(dir.path(), clock.clone())),
            blobs: Arc::new(FileBlobs::new(
                dir.path(),
                "http://127.0.0.1:3000".into(),
                [42; 32],
                clock,
            )),
            dir,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// `(key, query string)` of a local presigned URL (`{base}/_blobs/{key}?{query}`).
    fn split_url(url: &str) -> Result<(String, String), String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
        let key = url
            .path()
            .strip_prefix("/_blobs/")
            .ok_or("not a blob URL")?
            .to_string();
        Ok((key, url.query().unwrap_or_default().to_string()))
    }
}

#[async_trait]
impl Harness for LocalHarness {
    fn store(&self) -> Arc<dyn ItemStore> {
        self.store.clone()
    }

    async fn crypto(&self) -> Arc<dyn Crypto> {
        let path = self
            .dir
            .path()
            .join(statx_local::key_file::DEFAULT_FILE_NAME);
        let ring =
            tokio::task::spawn_blocking(move || statx_local::key_file::load_or_create(&path))
                .await
                .expect("key file task")
                .expect("load or create the key file");
        Arc::new(ring)
    }

    fn sms(&self) -> Arc<dyn Sms> {
        self.sms.clone()
    }

    async fn sent_sms(&self, to: &str) -> Vec<String> {
        statx_local::read_sms_outbox(self.dir.path())
            .into_iter()
            .filter(|m| m.to == to)
            .map(|m| m.text)
            .collect()
    }

    fn push(&self) -> Arc<dyn Push> {
        self.push.clone()
    }

    async fn pushed(&self, device_id: &str, _endpoint: &str) -> Vec<PushRecord> {
        statx_local::read_push_outbox(self.dir.path())
            .into_iter()
            .filter(|m| m["to"] == device_id)
            .map(|m| PushRecord {
                title: m["title"].as_str().unwrap_or_default().to_string(),
                body: m["body"].as_str().unwrap_or_default().to_string(),
                data: serde_json::from_value(m["data"].clone()).unwrap_or_default(),
            })
            .collect()
    }

    async fn disable_push(&self, endpoint: &str) {
        self.push.disable(endpoint);
    }

    fn reregister_enables(&self) -> bool {
        true
    }

    fn blobs(&self) -> Arc<dyn Blobs> {
        self.blobs.clone()
    }

    async fn upload(&self, upload: &PresignedUpload, body: Vec<u8>) -> Result<(), String> {
        let (key, query) = Self::split_url(&upload.url)?;
        let op = self.blobs.verify(&key, &query).map_err(|e| e.to_string())?;
        let SignedOp::Put { content_type, len } = op else {
            return Err("not an upload URL".into());
        };
        // What the server checks: the signed content type and length are the ones sent.
        if upload.headers.get("content-type") != Some(&content_type) {
            return Err("content type differs from the signed one".into());
        }
        if body.len() as u64 != len {
            return Err("body length differs from the signed one".into());
        }
        self.blobs
            .write_object(&key, &content_type, &body)
            .await
            .map_err(|e| e.to_string())
    }

    async fn download(&self, url: &str) -> Result<Option<Vec<u8>>, String> {
        let (key, query) = Self::split_url(url)?;
        match self.blobs.verify(&key, &query).map_err(|e| e.to_string())? {
            SignedOp::Get => {}
            SignedOp::Put { .. } => return Err("not a download URL".into()),
        }
        let obj = self
            .blobs
            .read_object(&key)
            .await
            .map_err(|e| e.to_string())?;
        Ok(obj.map(|(_, bytes)| bytes))
    }
}
