//! `FileBlobs`: attachment objects as files under `<data>/blobs/<key>` with a `<key>.meta`
//! JSON sidecar holding the content type. Presigned URLs point at the local API server
//! (`{base_url}/_blobs/{key}?...`), which checks them with `FileBlobs::verify` and then calls
//! `write_object` / `read_object`.
//!
//! A URL is signed with HMAC-SHA-256 over `statx-blob-v1 \n op \n key \n exp \n ct \n len`
//! (`ct`/`len` empty for downloads); `exp` is in epoch seconds. Keys are limited to
//! `[a-z0-9/_-]` with non-empty segments, so they can neither escape the directory nor
//! collide with the `.meta`/`.tmp` files.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use data_encoding::{HEXLOWER, HEXLOWER_PERMISSIVE};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use statx_core::ports::random::Random;
use statx_core::ports::{BlobError, BlobMeta, Blobs, Clock, OsRandom, PresignedUpload};
use zeroize::Zeroizing;

use crate::urlenc::{parse_query, percent_encode};

pub const BLOBS_DIR: &str = "blobs";
/// The longest validity a presigned URL may have (S3's limit: 7 days).
pub const MAX_EXPIRES_SECS: u64 = 7 * 24 * 3600;
const MAX_KEY_LEN: usize = 1024;
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// What a valid presigned URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedOp {
    /// Upload exactly `len` bytes of `content_type`.
    Put {
        content_type: String,
        len: u64,
    },
    Get,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sidecar {
    content_type: String,
}

pub struct FileBlobs {
    root: PathBuf,
    base_url: String,
    signing_key: Zeroizing<[u8; 32]>,
    clock: Arc<dyn Clock>,
}

fn err(msg: impl Into<String>) -> BlobError {
    BlobError::Provider(msg.into())
}

fn io_err(e: std::io::Error) -> BlobError {
    err(format!("blob file: {}", e.kind()))
}

/// `[a-z0-9/_-]`, non-empty segments, at most 1024 bytes.
pub(crate) fn check_key(key: &str) -> Result<(), BlobError> {
    let chars_ok = key
        .bytes()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'/' | b'_' | b'-'));
    if key.is_empty() || key.len() > MAX_KEY_LEN || !chars_ok || key.split('/').any(str::is_empty) {
        return Err(err("invalid blob key"));
    }
    Ok(())
}

/// Visible ASCII and spaces, 1 to 255 bytes (it goes into a header).
fn check_content_type(ct: &str) -> Result<(), BlobError> {
    if ct.is_empty() || ct.len() > 255 || !ct.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(err("invalid content type"));
    }
    Ok(())
}

impl FileBlobs {
    pub fn new(
        data_dir: &Path,
        base_url: String,
        signing_key: [u8; 32],
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            root: data_dir.join(BLOBS_DIR),
            base_url: base_url.trim_end_matches('/').to_string(),
            signing_key: Zeroizing::new(signing_key),
            clock,
        }
    }

    fn mac(&self, op: &str, key: &str, exp: i64, ct: &str, len: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.signing_key.as_ref())
            .expect("HMAC accepts any key length");
        mac.update(format!("statx-blob-v1\n{op}\n{key}\n{exp}\n{ct}\n{len}").as_bytes());
        mac
    }

    fn expiry(&self, expires_in_secs: u64) -> Result<i64, BlobError> {
        if expires_in_secs == 0 || expires_in_secs > MAX_EXPIRES_SECS {
            return Err(err("presigned URL expiry out of range"));
        }
        Ok(self.clock.now().timestamp() + expires_in_secs as i64)
    }

    /// Check a presigned URL's query string for `key`: signature (constant-time) and expiry.
    pub fn verify(&self, key: &str, query_string: &str) -> Result<SignedOp, BlobError> {
        check_key(key)?;
        let q = parse_query(query_string).map_err(|_| err("malformed query string"))?;
        let field = |name: &str| q.get(name).map(String::as_str);
        let exp: i64 = field("exp")
            .and_then(|e| e.parse().ok())
            .ok_or_else(|| err("missing or bad expiry"))?;
        let sig = field("sig")
            .and_then(|s| HEXLOWER_PERMISSIVE.decode(s.as_bytes()).ok())
            .ok_or_else(|| err("missing or bad signature"))?;
        let (mac, op) = match field("op") {
            Some("get") => (self.mac("get", key, exp, "", ""), SignedOp::Get),
            Some("put") => {
                let ct = field("ct").ok_or_else(|| err("missing content type"))?;
                check_content_type(ct)?;
                let len_s = field("len").ok_or_else(|| err("missing content length"))?;
                let len: u64 = len_s.parse().map_err(|_| err("bad content length"))?;
                let op = SignedOp::Put {
                    content_type: ct.to_string(),
                    len,
                };
                (self.mac("put", key, exp, ct, len_s), op)
            }
            _ => return Err(err("bad operation")),
        };
        mac.verify_slice(&sig).map_err(|_| err("bad signature"))?;
        if self.clock.now().timestamp() > exp {
            return Err(err("presigned URL expired"));
        }
        Ok(op)
    }

    fn object_path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn sidecar_path(&self, key: &str) -> PathBuf {
        self.root.join(format!("{key}.meta"))
    }

    /// Store an object (replacing any previous one). Each file is written to a temporary name
    /// and renamed, so readers never see a partial object.
    pub async fn write_object(
        &self,
        key: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(), BlobError> {
        check_key(key)?;
        check_content_type(content_type)?;
        let sidecar = serde_json::to_vec(&Sidecar {
            content_type: content_type.to_string(),
        })
        .map_err(|_| err("cannot encode blob metadata"))?;
        let (obj, meta, bytes) = (
            self.object_path(key),
            self.sidecar_path(key),
            bytes.to_vec(),
        );
        blocking(move || {
            replace_file(&meta, &sidecar)?;
            replace_file(&obj, &bytes)
        })
        .await
    }

    /// The object's content type and bytes, `None` when it does not exist.
    pub async fn read_object(&self, key: &str) -> Result<Option<(String, Vec<u8>)>, BlobError> {
        check_key(key)?;
        let (obj, meta) = (self.object_path(key), self.sidecar_path(key));
        blocking(move || {
            let bytes = match std::fs::read(&obj) {
                Ok(b) => b,
                Err(e) if is_absent(&e) => return Ok(None),
                Err(e) => return Err(io_err(e)),
            };
            let ct = read_content_type(&meta)?.unwrap_or_else(|| DEFAULT_CONTENT_TYPE.into());
            Ok(Some((ct, bytes)))
        })
        .await
    }
}

/// A missing file, or a path through/at a directory (key `a` vs `a/b`): no such object.
fn is_absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory
    )
}

fn read_content_type(meta: &Path) -> Result<Option<String>, BlobError> {
    match std::fs::read(meta) {
        Ok(b) => Ok(serde_json::from_slice::<Sidecar>(&b)
            .ok()
            .map(|s| s.content_type)),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(io_err(e)),
    }
}

fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), BlobError> {
    let dir = path.parent().ok_or_else(|| err("invalid blob path"))?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_err)?;
    let mut tag = [0u8; 8];
    OsRandom.fill(&mut tag);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", HEXLOWER.encode(&tag)));
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(e)
    })
}

fn remove_if_present(path: &Path) -> Result<(), BlobError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if is_absent(&e) => Ok(()),
        Err(e) => Err(io_err(e)),
    }
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, BlobError> + Send + 'static,
) -> Result<R, BlobError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| err("blob task failed"))?
}

#[async_trait]
impl Blobs for FileBlobs {
    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, BlobError> {
        check_key(key)?;
        check_content_type(content_type)?;
        let exp = self.expiry(expires_in_secs)?;
        let len = content_length.to_string();
        let sig = self.mac("put", key, exp, content_type, &len).finalize();
        let url = format!(
            "{}/_blobs/{key}?op=put&exp={exp}&ct={}&len={len}&sig={}",
            self.base_url,
            percent_encode(content_type),
            HEXLOWER.encode(&sig.into_bytes())
        );
        let headers = BTreeMap::from([
            ("content-type".to_string(), content_type.to_string()),
            ("content-length".to_string(), len),
        ]);
        let expires_at =
            DateTime::<Utc>::from_timestamp(exp, 0).ok_or_else(|| err("expiry out of range"))?;
        Ok(PresignedUpload {
            url,
            headers,
            expires_at,
        })
    }

    async fn presign_download(&self, key: &str, expires_in_secs: u64) -> Result<String, BlobError> {
        check_key(key)?;
        let exp = self.expiry(expires_in_secs)?;
        let sig = self.mac("get", key, exp, "", "").finalize();
        Ok(format!(
            "{}/_blobs/{key}?op=get&exp={exp}&sig={}",
            self.base_url,
            HEXLOWER.encode(&sig.into_bytes())
        ))
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError> {
        check_key(key)?;
        let (obj, meta) = (self.object_path(key), self.sidecar_path(key));
        blocking(move || {
            let size = match std::fs::metadata(&obj) {
                Ok(m) if m.is_file() => m.len(),
                Ok(_) => return Ok(None),
                Err(e) if is_absent(&e) => return Ok(None),
                Err(e) => return Err(io_err(e)),
            };
            Ok(Some(BlobMeta {
                size,
                content_type: read_content_type(&meta)?,
            }))
        })
        .await
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), BlobError> {
        check_key(to)?;
        let (ct, bytes) = self
            .read_object(from)
            .await?
            .ok_or_else(|| err("copy source does not exist"))?;
        self.write_object(to, &ct, &bytes).await
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        check_key(key)?;
        let (obj, meta) = (self.object_path(key), self.sidecar_path(key));
        blocking(move || {
            remove_if_present(&obj)?;
            remove_if_present(&meta)
        })
        .await
    }
}
