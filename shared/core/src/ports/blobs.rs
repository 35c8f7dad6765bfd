//! Attachment objects (S3 in AWS; files under `<data>/blobs` locally).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum BlobError {
    #[error("blob store failed: {0}")]
    Provider(String),
}

/// A presigned PUT: the client must send exactly these headers (content type and length are
/// part of the signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUpload {
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub content_type: Option<String>,
}

#[async_trait]
pub trait Blobs: Send + Sync {
    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, BlobError>;
    async fn presign_download(&self, key: &str, expires_in_secs: u64) -> Result<String, BlobError>;
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError>;
    /// Deleting a missing object is not an error.
    async fn delete(&self, key: &str) -> Result<(), BlobError>;
    /// Server-side copy of `from` to `to` (content type kept). Used to move a checked upload
    /// out of the quarantine prefix that the bucket lifecycle empties.
    async fn copy(&self, from: &str, to: &str) -> Result<(), BlobError>;
}
