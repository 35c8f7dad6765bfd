//! `Blobs` on one S3 bucket: presigned PUT/GET, HeadObject, DeleteObject. The bucket's default
//! encryption (SSE-KMS with the project key) applies to uploads; no SSE headers are presigned,
//! so clients need to send only the headers returned with the upload URL.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::Client;
use chrono::{DateTime, Utc};
use statx_core::ports::{BlobError, BlobMeta, Blobs, Clock, PresignedUpload, SystemClock};

use crate::sdk_error::code;

/// S3 caps presigned URLs (SigV4) at seven days.
const MAX_EXPIRY_SECS: u64 = 7 * 24 * 3600;

#[derive(Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for S3Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Blobs")
            .field("bucket", &self.bucket)
            .finish_non_exhaustive()
    }
}

impl S3Blobs {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Presign relative to `clock` instead of the system time.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn presigning(
        &self,
        expires_in_secs: u64,
    ) -> Result<(PresigningConfig, DateTime<Utc>), BlobError> {
        if expires_in_secs == 0 || expires_in_secs > MAX_EXPIRY_SECS {
            return Err(BlobError::Provider("presign expiry out of range".into()));
        }
        let now = self.clock.now();
        let config = PresigningConfig::builder()
            .start_time(SystemTime::from(now))
            .expires_in(Duration::from_secs(expires_in_secs))
            .build()
            .map_err(|_| BlobError::Provider("bad presigning configuration".into()))?;
        let secs = i64::try_from(expires_in_secs).unwrap_or(i64::MAX);
        Ok((config, now + chrono::Duration::seconds(secs)))
    }
}

fn provider<E: ProvideErrorMetadata, R>(op: &str, e: &SdkError<E, R>) -> BlobError {
    let code = code(e);
    tracing::warn!(op, code, "s3 call failed");
    BlobError::Provider(format!("{op}: {code}"))
}

#[async_trait]
impl Blobs for S3Blobs {
    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, BlobError> {
        let (config, expires_at) = self.presigning(expires_in_secs)?;
        let length = i64::try_from(content_length)
            .map_err(|_| BlobError::Provider("content length out of range".into()))?;
        let req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(config)
            .await
            .map_err(|e| provider("s3:PutObject(presign)", &e))?;
        let headers: BTreeMap<String, String> = req
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        Ok(PresignedUpload {
            url: req.uri().to_string(),
            headers,
            expires_at,
        })
    }

    async fn presign_download(&self, key: &str, expires_in_secs: u64) -> Result<String, BlobError> {
        let (config, _) = self.presigning(expires_in_secs)?;
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| provider("s3:GetObject(presign)", &e))?;
        Ok(req.uri().to_string())
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(BlobMeta {
                size: out
                    .content_length
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                content_type: out.content_type,
            })),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(provider("s3:HeadObject", &e)),
        }
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), BlobError> {
        // Our keys are `[a-z0-9/_-]`: nothing in `bucket/key` needs URL-encoding.
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(format!("{}/{from}", self.bucket))
            .key(to)
            .send()
            .await
            .map_err(|e| provider("s3:CopyObject", &e))?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(provider("s3:DeleteObject", &e)),
        }
    }
}

/// HEAD answers carry no error body, so a missing object is recognised by its status too.
fn is_not_found<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool
where
    R: HttpStatus,
{
    matches!(e.code(), Some("NotFound" | "NoSuchKey"))
        || e.raw_response().is_some_and(|r| r.status_code() == 404)
}

/// The HTTP status of a raw response (lets `is_not_found` stay generic over operations).
trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_sdk_s3::config::http::HttpResponse {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}
