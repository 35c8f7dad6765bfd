//! The moto_server harness. `make test` starts `moto_server` on a free port and exports
//! `STATX_MOTO_URL=http://127.0.0.1:<port>`; every AWS-backed test reads it here and panics
//! when it is missing (AWS tests never skip silently).
//!
//! Tests share one moto_server and never reset it: each test provisions its own uniquely named
//! table, KMS key, bucket and push platform applications (`fresh_env`), and reads sent SMS
//! filtered by a number unique to the test (`sent_sms`).

use std::collections::BTreeMap;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use statx_core::ports::random::RandomExt;
use statx_core::ports::OsRandom;
use statx_core::Config;

/// The env var `make test` sets to moto_server's base URL.
pub const MOTO_URL_VAR: &str = "STATX_MOTO_URL";

/// moto_server's base URL, e.g. `http://127.0.0.1:5123`.
pub fn url() -> String {
    match std::env::var(MOTO_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
        _ => panic!(
            "{MOTO_URL_VAR} is not set: AWS-adapter tests need moto_server. Run them through \
             `make test`, which starts moto_server (or start `moto_server -p PORT` yourself and \
             export {MOTO_URL_VAR}=http://127.0.0.1:PORT)"
        ),
    }
}

/// An SDK configuration pointed at moto_server: region us-east-1, static dummy credentials.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(url())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "statx-tests",
        ))
        .load()
        .await
}

/// A short random lowercase suffix for resource names.
pub fn unique_suffix() -> String {
    OsRandom.token(10)
}

/// A fresh, isolated AWS environment on moto_server: a new table (shaped as in the template),
/// KMS key, bucket and APNS/APNS_SANDBOX/GCM platform applications, and the `Config` naming
/// them.
pub async fn fresh_env() -> (SdkConfig, Config) {
    let sdk = sdk_config().await;
    let suffix = unique_suffix();
    let table = format!("statx-test-{suffix}");
    let bucket = format!("statx-test-{suffix}");
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let kms = aws_sdk_kms::Client::new(&sdk);
    let s3 = statx_aws::s3_client(&sdk);
    let sns = aws_sdk_sns::Client::new(&sdk);
    let (table_ok, key_id, bucket_ok, push_platform_arns) = tokio::join!(
        statx_aws::provision::ensure_table(&ddb, &table),
        statx_aws::provision::create_kms_key(&kms),
        statx_aws::provision::ensure_bucket(&s3, &bucket),
        platform_apps(&sns, &suffix),
    );
    table_ok.expect("create table on moto_server");
    bucket_ok.expect("create bucket on moto_server");
    let config = Config {
        table,
        bucket,
        kms_key_id: key_id.expect("create KMS key on moto_server"),
        push_platform_arns,
        data_dir: std::env::temp_dir().join(format!("statx-unused-{suffix}")),
        ..Config::default()
    };
    (sdk, config)
}

/// One SNS platform application per push platform.
async fn platform_apps(sns: &aws_sdk_sns::Client, suffix: &str) -> BTreeMap<String, String> {
    let mut arns = BTreeMap::new();
    for platform in ["APNS", "APNS_SANDBOX", "GCM"] {
        let out = sns
            .create_platform_application()
            .name(format!("statx-test-{suffix}"))
            .platform(platform)
            .attributes("PlatformCredential", "test-credential")
            .send()
            .await
            .expect("create platform application on moto_server");
        let arn = out
            .platform_application_arn
            .expect("platform application arn");
        arns.insert(platform.to_string(), arn);
    }
    arns
}

/// moto's internal state (`/moto-api/data.json`).
///
/// moto builds it racily: it checks each attribute serialises, then reads it again, so a write
/// landing in between (a DynamoDB stream record, typically) makes it answer 500. Such answers
/// are retried.
pub async fn model_data() -> serde_json::Value {
    let mut status = None;
    for attempt in 0..5u64 {
        let resp = reqwest::get(format!("{}/moto-api/data.json", url()))
            .await
            .expect("GET /moto-api/data.json");
        if resp.status().is_success() {
            return resp.json().await.expect("moto data.json is JSON");
        }
        status = Some(resp.status());
        tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
    }
    panic!("moto data.json: {status:?}")
}

/// Texts of the SMS sent to `to` (E.164), oldest first.
pub async fn sent_sms(to: &str) -> Vec<String> {
    let data = model_data().await;
    data["sns"]["SMS"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|m| m["phone_number"] == to)
                .filter_map(|m| m["message"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Raw messages (the `MessageStructure=json` documents) published to a platform endpoint,
/// oldest first.
pub async fn endpoint_messages(endpoint_arn: &str) -> Vec<String> {
    let data = model_data().await;
    data["sns"]["PlatformEndpoint"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["arn"] == endpoint_arn))
        .and_then(|e| e["messages"].as_object())
        .map(|m| {
            m.values()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
