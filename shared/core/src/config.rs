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
    /// Sign-in abuse limits and session lifetimes.
    pub limits: Limits,
}

/// Every abuse limit and session lifetime in one place, with safe defaults; each is overridable
/// by the environment variable named on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Minimum seconds between two codes to one number (`STATX_SMS_COOLDOWN_SECS`, 30).
    pub sms_cooldown_secs: i64,
    /// Codes per number per clock hour (`STATX_SMS_PER_NUMBER_HOUR`, 5).
    pub sms_per_number_hour: i64,
    /// Codes per number per UTC day (`STATX_SMS_PER_NUMBER_DAY`, 10).
    pub sms_per_number_day: i64,
    /// Logins per source IP per clock hour (`STATX_LOGINS_PER_IP_HOUR`, 20).
    pub logins_per_ip_hour: i64,
    /// SMS per minute across the whole service: the circuit breaker (`STATX_SMS_PER_MINUTE`, 100).
    pub sms_per_minute: i64,
    /// ISO 3166 regions whose numbers may get an SMS (`STATX_SMS_COUNTRIES`, comma-separated).
    pub sms_countries: Vec<String>,
    /// A client unused this long is signed out (`STATX_CLIENT_IDLE_DAYS`, 30).
    pub client_idle_days: i64,
    /// A client is signed out this long after sign-in, used or not (`STATX_CLIENT_MAX_AGE_DAYS`, 180).
    pub client_max_age_days: i64,
    /// Live clients per user; the oldest is revoked past it (`STATX_MAX_CLIENTS`, 20).
    pub max_clients: usize,
}

/// Default SMS country allowlist (also the template's `SmsCountryAllowlist` default).
pub const DEFAULT_SMS_COUNTRIES: &str = "US,CA,GB,IE,AU,NZ,DE,FR,NL,IN";

impl Default for Limits {
    fn default() -> Self {
        Self {
            sms_cooldown_secs: 30,
            sms_per_number_hour: 5,
            sms_per_number_day: 10,
            logins_per_ip_hour: 20,
            sms_per_minute: 100,
            sms_countries: parse_countries(DEFAULT_SMS_COUNTRIES),
            client_idle_days: 30,
            client_max_age_days: 180,
            max_clients: 20,
        }
    }
}

fn parse_countries(list: &str) -> Vec<String> {
    list.split(',')
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect()
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
            limits: Limits::default(),
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
            limits: Limits {
                sms_cooldown_secs: num(
                    &get,
                    "STATX_SMS_COOLDOWN_SECS",
                    d.limits.sms_cooldown_secs,
                )?,
                sms_per_number_hour: num(
                    &get,
                    "STATX_SMS_PER_NUMBER_HOUR",
                    d.limits.sms_per_number_hour,
                )?,
                sms_per_number_day: num(
                    &get,
                    "STATX_SMS_PER_NUMBER_DAY",
                    d.limits.sms_per_number_day,
                )?,
                logins_per_ip_hour: num(
                    &get,
                    "STATX_LOGINS_PER_IP_HOUR",
                    d.limits.logins_per_ip_hour,
                )?,
                sms_per_minute: num(&get, "STATX_SMS_PER_MINUTE", d.limits.sms_per_minute)?,
                sms_countries: get("STATX_SMS_COUNTRIES")
                    .map(|v| parse_countries(&v))
                    .unwrap_or(d.limits.sms_countries),
                client_idle_days: num(&get, "STATX_CLIENT_IDLE_DAYS", d.limits.client_idle_days)?,
                client_max_age_days: num(
                    &get,
                    "STATX_CLIENT_MAX_AGE_DAYS",
                    d.limits.client_max_age_days,
                )?,
                max_clients: num(&get, "STATX_MAX_CLIENTS", d.limits.max_clients)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn env_overrides_defaults() {
        let env: HashMap<&str, &str> = [
            ("STATX_SMS_PER_MINUTE", "7"),
            ("STATX_SMS_COUNTRIES", " us, gb ,"),
            ("STATX_PORT", "4000"),
        ]
        .into();
        let c = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(c.limits.sms_per_minute, 7);
        assert_eq!(c.limits.sms_countries, vec!["US", "GB"]);
        assert_eq!(c.port, 4000);
        assert_eq!(c.limits.sms_per_number_hour, 5);
        let bad = Config::from_lookup(|k| (k == "STATX_MAX_CLIENTS").then(|| "many".to_string()));
        assert!(bad.is_err());
        assert_eq!(Config::from_lookup(|_| None).unwrap(), Config::default());
    }
}
