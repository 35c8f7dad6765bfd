//! SMS and push "sent" into JSON-lines outbox files under `<data>/outbox/` (0600: they hold
//! phone numbers and codes), for people and tests to read.
//!
//! Each message is one line written with one `write_all` on an `O_APPEND` file while holding
//! a mutex, so lines never interleave.

use std::collections::{BTreeMap, HashSet};
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use statx_core::ports::{Clock, Push, PushError, PushMessage, PushOutcome, Sms, SmsError};

pub const OUTBOX_DIR: &str = "outbox";
pub const SMS_FILE: &str = "sms.jsonl";
pub const PUSH_FILE: &str = "push.jsonl";
/// Platforms SNS mobile push knows and StatX supports.
pub const PUSH_PLATFORMS: [&str; 3] = ["APNS", "APNS_SANDBOX", "GCM"];

/// An append-only JSON-lines file.
struct Appender {
    path: PathBuf,
    lock: Mutex<()>,
}

impl Appender {
    fn new(data_dir: &Path, file: &str) -> Arc<Self> {
        Arc::new(Self {
            path: data_dir.join(OUTBOX_DIR).join(file),
            lock: Mutex::new(()),
        })
    }

    fn append_blocking(&self, line: &[u8]) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = self.path.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.path)?;
        f.write_all(line)?;
        f.flush()
    }

    /// Serialise `record` and append it as one line (on the blocking pool).
    async fn append(self: &Arc<Self>, record: &impl Serialize) -> Result<(), String> {
        let mut line =
            serde_json::to_vec(record).map_err(|_| "cannot encode outbox record".to_string())?;
        line.push(b'\n');
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.append_blocking(&line))
            .await
            .map_err(|_| "outbox task failed".to_string())?
            .map_err(|e| format!("cannot write outbox: {e}"))
    }
}

fn rfc3339(clock: &dyn Clock) -> String {
    clock.now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn read_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// One line of `sms.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentSms {
    pub to: String,
    pub text: String,
    pub sent_at: String,
}

/// `Sms` that appends to `<data>/outbox/sms.jsonl` and, when `echo` is set, prints each
/// message on stdout (never through tracing: logs must not contain numbers or codes).
pub struct OutboxSms {
    out: Arc<Appender>,
    clock: Arc<dyn Clock>,
    echo: bool,
}

impl OutboxSms {
    pub fn new(data_dir: &Path, clock: Arc<dyn Clock>, echo: bool) -> Self {
        Self {
            out: Appender::new(data_dir, SMS_FILE),
            clock,
            echo,
        }
    }
}

#[async_trait]
impl Sms for OutboxSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let record = SentSms {
            to: to.to_string(),
            text: text.to_string(),
            sent_at: rfc3339(self.clock.as_ref()),
        };
        self.out.append(&record).await.map_err(SmsError::Provider)?;
        if self.echo {
            println!("[statx-local] SMS to {to}: {text}");
        }
        Ok(())
    }
}

/// Every message in `<data>/outbox/sms.jsonl`, oldest first (empty when there is none).
pub fn read_sms_outbox(data_dir: &Path) -> Vec<SentSms> {
    read_lines(&data_dir.join(OUTBOX_DIR).join(SMS_FILE))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SentPush<'a> {
    to: &'a str,
    platform: &'a str,
    title: &'a str,
    body: &'a str,
    data: &'a BTreeMap<String, String>,
    sent_at: String,
}

/// `Push` that appends to `<data>/outbox/push.jsonl`. The endpoint is the device id. Tests
/// can `disable` an endpoint to simulate an uninstalled app; registering it again (or
/// unregistering it) clears that.
pub struct OutboxPush {
    out: Arc<Appender>,
    clock: Arc<dyn Clock>,
    disabled: Mutex<HashSet<String>>,
}

impl OutboxPush {
    pub fn new(data_dir: &Path, clock: Arc<dyn Clock>) -> Self {
        Self {
            out: Appender::new(data_dir, PUSH_FILE),
            clock,
            disabled: Mutex::new(HashSet::new()),
        }
    }

    /// From now on `send` to `endpoint` reports `PushOutcome::Disabled`.
    pub fn disable(&self, endpoint: &str) {
        self.disabled_set().insert(endpoint.to_string());
    }

    fn disabled_set(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.disabled.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn check_platform(platform: &str) -> Result<(), PushError> {
    if PUSH_PLATFORMS.contains(&platform) {
        Ok(())
    } else {
        Err(PushError::Platform)
    }
}

#[async_trait]
impl Push for OutboxPush {
    async fn register(
        &self,
        device_id: &str,
        platform: &str,
        _token: &str,
    ) -> Result<String, PushError> {
        check_platform(platform)?;
        if device_id.is_empty() {
            return Err(PushError::Provider("empty device id".into()));
        }
        // Like re-registering a token with SNS: the endpoint is enabled again.
        self.disabled_set().remove(device_id);
        Ok(device_id.to_string())
    }

    async fn send(
        &self,
        device_id: &str,
        platform: &str,
        endpoint: &str,
        message: &PushMessage,
    ) -> Result<PushOutcome, PushError> {
        check_platform(platform)?;
        if self.disabled_set().contains(endpoint) {
            return Ok(PushOutcome::Disabled);
        }
        let record = SentPush {
            to: device_id,
            platform,
            title: &message.title,
            body: &message.body,
            data: &message.data,
            sent_at: rfc3339(self.clock.as_ref()),
        };
        self.out
            .append(&record)
            .await
            .map_err(PushError::Provider)?;
        Ok(PushOutcome::Delivered)
    }

    async fn unregister(&self, endpoint: &str) -> Result<(), PushError> {
        self.disabled_set().remove(endpoint);
        Ok(())
    }
}

/// Every message in `<data>/outbox/push.jsonl`, oldest first (empty when there is none).
pub fn read_push_outbox(data_dir: &Path) -> Vec<serde_json::Value> {
    read_lines(&data_dir.join(OUTBOX_DIR).join(PUSH_FILE))
}
