//! The conformance harness over the AWS adapters (`statx-aws`) on moto_server, in a fresh
//! table, KMS key, bucket and push applications per harness. Blob transfers are real HTTP
//! requests to the presigned URLs; SMS and push are read back from moto's state.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_config::SdkConfig;
use statx_aws::{DynamoStore, S3Blobs, SnsPush, SnsSms};
use statx_core::ports::{Blobs, Crypto, ItemStore, PresignedUpload, Push, Sms};
use statx_core::Config;

use super::{Harness, PushRecord};
use crate::harness::moto;

pub struct AwsHarness {
    pub sdk: SdkConfig,
    pub config: Config,
    ddb: aws_sdk_dynamodb::Client,
    kms: aws_sdk_kms::Client,
    sns: aws_sdk_sns::Client,
    store: Arc<DynamoStore>,
    blobs: Arc<S3Blobs>,
    http: reqwest::Client,
}

impl AwsHarness {
    pub async fn new() -> Self {
        let (sdk, config) = moto::fresh_env().await;
        let ddb = aws_sdk_dynamodb::Client::new(&sdk);
        let kms = aws_sdk_kms::Client::new(&sdk);
        let sns = aws_sdk_sns::Client::new(&sdk);
        let s3 = statx_aws::s3_client(&sdk);
        Self {
            store: Arc::new(DynamoStore::new(ddb.clone(), config.table.clone())),
            blobs: Arc::new(S3Blobs::new(s3, config.bucket.clone())),
            http: reqwest::Client::new(),
            sdk,
            config,
            ddb,
            kms,
            sns,
        }
    }
}

/// Title, body and data of a push as SNS received it (the `MessageStructure=json` document
/// holding one platform-specific JSON string).
fn parse_push(raw: &str) -> Option<PushRecord> {
    let outer: serde_json::Value = serde_json::from_str(raw).ok()?;
    let (platform, inner) = outer
        .as_object()?
        .iter()
        .find(|(k, _)| k.as_str() != "default")?;
    let inner: serde_json::Value = serde_json::from_str(inner.as_str()?).ok()?;
    let (alert, data) = match platform.as_str() {
        "GCM" => (&inner["notification"], &inner["data"]),
        _ => (&inner["aps"]["alert"], &inner["data"]),
    };
    Some(PushRecord {
        title: alert["title"].as_str()?.to_string(),
        body: alert["body"].as_str()?.to_string(),
        data: serde_json::from_value::<BTreeMap<String, String>>(data.clone()).ok()?,
    })
}

#[async_trait]
impl Harness for AwsHarness {
    fn store(&self) -> Arc<dyn ItemStore> {
        self.store.clone()
    }

    fn racing_store(&self) -> Arc<dyn ItemStore> {
        Arc::new(crate::harness::serial::SerialWrites::new(
            self.store.clone(),
        ))
    }

    async fn crypto(&self) -> Arc<dyn Crypto> {
        let ring = statx_aws::kms_keyring(
            &self.ddb,
            &self.config.table,
            &self.kms,
            &self.config.kms_key_id,
        )
        .await
        .expect("kms keyring");
        Arc::new(ring)
    }

    fn sms(&self) -> Arc<dyn Sms> {
        Arc::new(SnsSms::new(self.sns.clone()))
    }

    async fn sent_sms(&self, to: &str) -> Vec<String> {
        moto::sent_sms(to).await
    }

    fn push(&self) -> Arc<dyn Push> {
        Arc::new(SnsPush::new(
            self.sns.clone(),
            self.config.push_platform_arns.clone(),
        ))
    }

    async fn pushed(&self, _device_id: &str, endpoint: &str) -> Vec<PushRecord> {
        moto::endpoint_messages(endpoint)
            .await
            .iter()
            .map(|raw| parse_push(raw).unwrap_or_else(|| panic!("unexpected push payload")))
            .collect()
    }

    async fn disable_push(&self, endpoint: &str) {
        self.sns
            .set_endpoint_attributes()
            .endpoint_arn(endpoint)
            .attributes("Enabled", "false")
            .send()
            .await
            .expect("disable endpoint on moto");
    }

    fn reregister_enables(&self) -> bool {
        // moto stores `Enabled` as the string it is sent and treats only a boolean `true` as
        // enabled, so no SetEndpointAttributes call can enable an endpoint again there.
        false
    }

    fn blobs(&self) -> Arc<dyn Blobs> {
        self.blobs.clone()
    }

    async fn upload(&self, upload: &PresignedUpload, body: Vec<u8>) -> Result<(), String> {
        let mut req = self.http.put(&upload.url);
        for (name, value) in &upload.headers {
            // reqwest derives these from the URL and body.
            if name != "host" && name != "content-length" {
                req = req.header(name, value);
            }
        }
        let resp = req.body(body).send().await.map_err(|e| e.to_string())?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("upload refused: {}", resp.status()))
        }
    }

    async fn download(&self, url: &str) -> Result<Option<Vec<u8>>, String> {
        let resp = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        match resp.status() {
            s if s.is_success() => Ok(Some(
                resp.bytes().await.map_err(|e| e.to_string())?.to_vec(),
            )),
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            s => Err(format!("download refused: {s}")),
        }
    }
}
