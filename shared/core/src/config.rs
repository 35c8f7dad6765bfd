//! Configuration: read from the environment here and nowhere else.

use std::path::PathBuf;

/// Everything configurable, with safe defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Embedded adapters' data directory (`STATX_DATA_DIR`, default `./.statx`).
    pub data_dir: PathBuf,
    /// Local API port (`STATX_PORT`, default 3000).
    pub port: u16,
    /// DynamoDB table (`STATX_TABLE`).
    pub table: String,
    /// KMS key id/ARN/alias wrapping the data key (`STATX_KMS_KEY_ID`).
    pub kms_key_id: String,
    /// Attachment bucket (`STATX_BUCKET`).
    pub bucket: String,
    /// Body size limit in bytes for every route (`STATX_MAX_BODY_BYTES`, default 64 KiB).
    pub max_body_bytes: usize,
    /// Verification code lifetime in seconds (default 600).
    pub code_ttl_secs: i64,
    /// Wrong tries after which a code is dead (default 5).
    pub code_max_attempts: i64,
    /// SNS platform application ARNs by platform (`STATX_PUSH_APNS_ARN`,
    /// `STATX_PUSH_APNS_SANDBOX_ARN`, `STATX_PUSH_GCM_ARN`); a platform without one is refused.
    pub push_platform_arns: std::collections::BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(".statx"),
            port: 3000,
            table: "statx".into(),
            kms_key_id: "alias/statx".into(),
            bucket: "statx-attachments".into(),
            max_body_bytes: 64 * 1024,
            code_ttl_secs: 600,
            code_max_attempts: 5,
            push_platform_arns: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Read the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Read configuration through `get` (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = Self::default();
        fn num<T: std::str::FromStr>(
            get: &impl Fn(&str) -> Option<String>,
            key: &str,
            default: T,
        ) -> Result<T, ConfigError> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| ConfigError(format!("{key} is not a valid number"))),
            }
        }
        Ok(Self {
            data_dir: get("STATX_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or(d.data_dir),
            port: num(&get, "STATX_PORT", d.port)?,
            table: get("STATX_TABLE").unwrap_or(d.table),
            kms_key_id: get("STATX_KMS_KEY_ID").unwrap_or(d.kms_key_id),
            bucket: get("STATX_BUCKET").unwrap_or(d.bucket),
            max_body_bytes: num(&get, "STATX_MAX_BODY_BYTES", d.max_body_bytes)?,
            code_ttl_secs: num(&get, "STATX_CODE_TTL_SECS", d.code_ttl_secs)?,
            code_max_attempts: num(&get, "STATX_CODE_MAX_ATTEMPTS", d.code_max_attempts)?,
            push_platform_arns: [
                ("APNS", "STATX_PUSH_APNS_ARN"),
                ("APNS_SANDBOX", "STATX_PUSH_APNS_SANDBOX_ARN"),
                ("GCM", "STATX_PUSH_GCM_ARN"),
            ]
            .into_iter()
            .filter_map(|(p, k)| Some((p.to_string(), get(k).filter(|v| !v.is_empty())?)))
            .collect(),
        })
    }
}
