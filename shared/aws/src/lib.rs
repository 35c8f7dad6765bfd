//! StatX ports implemented with the AWS SDK: DynamoDB (`ItemStore`, and the wrapped data key),
//! KMS (the master key), SNS (`Sms`, `Push`) and S3 (`Blobs`).

mod dynamo;
mod dynamo_codec;
mod dynamo_tx;
mod kms;
pub mod provision;
mod s3;
mod sdk_error;
mod sns;
pub mod stream;

use std::sync::Arc;

use statx_core::ports::{Clock, CryptoError, OsRandom, SystemClock};
use statx_core::{Config, Deps};

pub use dynamo::{DynamoStore, GSI1};
pub use kms::{kms_keyring, KEYRING_PK, KEYRING_SK, WRAPPED_ATTR};
pub use s3::S3Blobs;
pub use sns::{SnsPush, SnsSms};

/// Why the AWS adapters could not be built. Messages hold no secrets.
#[derive(Debug, thiserror::Error)]
pub enum AwsInitError {
    #[error("cannot load the data key: {0}")]
    Keyring(#[from] CryptoError),
}

/// Build every port from an SDK configuration. Makes one DynamoDB read and one KMS call (two
/// writes the very first time, when the data key is created).
pub async fn deps_from_sdk(
    sdk: &aws_config::SdkConfig,
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<Deps, AwsInitError> {
    let ddb = aws_sdk_dynamodb::Client::new(sdk);
    let kms = aws_sdk_kms::Client::new(sdk);
    let sns = aws_sdk_sns::Client::new(sdk);
    let s3 = s3_client(sdk);
    let keyring = kms_keyring(&ddb, &config.table, &kms, &config.kms_key_id).await?;
    Ok(Deps {
        store: Arc::new(DynamoStore::new(ddb, config.table.clone())),
        crypto: Arc::new(keyring),
        sms: Arc::new(SnsSms::new(sns.clone())),
        push: Arc::new(SnsPush::new(sns, config.push_platform_arns.clone())),
        blobs: Arc::new(S3Blobs::new(s3, config.bucket.clone()).with_clock(clock.clone())),
        clock,
        random: Arc::new(OsRandom),
        config: Arc::new(config.clone()),
    })
}

/// Build every port from the default AWS configuration chain (honours `AWS_ENDPOINT_URL`,
/// `AWS_REGION`...) and the system clock: what a Lambda does at cold start.
pub async fn deps(config: &Config) -> Result<Deps, AwsInitError> {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    deps_from_sdk(&sdk, config, Arc::new(SystemClock)).await
}

/// An S3 client for `sdk`; path-style addressing when the endpoint is overridden (moto_server,
/// LocalStack), where virtual-host style does not resolve.
pub fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let mut conf = aws_sdk_s3::config::Builder::from(sdk);
    if sdk.endpoint_url().is_some() {
        conf = conf.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(conf.build())
}
