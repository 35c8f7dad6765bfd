//! Dev/test provisioning (moto_server, a sandbox account): the table, KMS key and bucket shaped
//! as `template.yaml` creates them in a deployment. Never called by a Lambda.

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use statx_core::ports::store::{GSI1PK, GSI1SK, PK, SK, TTL};

use crate::dynamo::GSI1;
use crate::sdk_error::code;

#[derive(Debug, thiserror::Error)]
#[error("provisioning failed: {0}")]
pub struct ProvisionError(pub String);

fn fail<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    op: &str,
    e: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> ProvisionError {
    ProvisionError(format!("{op}: {}", code(e)))
}

fn built<T, E>(r: Result<T, E>) -> Result<T, ProvisionError> {
    r.map_err(|_| ProvisionError("incomplete request".into()))
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, ProvisionError> {
    built(
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build(),
    )
}

fn string_attr(name: &str) -> Result<AttributeDefinition, ProvisionError> {
    built(
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build(),
    )
}

/// Create the table unless it exists: `pk`/`sk` (S), GSI `GSI1` on `gsi1pk`/`gsi1sk` with ALL
/// projection, on-demand billing, streams with new and old images, TTL on `ttl`. Waits until
/// the table is active.
pub async fn ensure_table(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<(), ProvisionError> {
    let gsi = built(
        GlobalSecondaryIndex::builder()
            .index_name(GSI1)
            .key_schema(key(GSI1PK, KeyType::Hash)?)
            .key_schema(key(GSI1SK, KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build(),
    )?;
    let created = ddb
        .create_table()
        .table_name(table)
        .attribute_definitions(string_attr(PK)?)
        .attribute_definitions(string_attr(SK)?)
        .attribute_definitions(string_attr(GSI1PK)?)
        .attribute_definitions(string_attr(GSI1SK)?)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .global_secondary_indexes(gsi)
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(built(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build(),
        )?)
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e) if code(&e) == "ResourceInUseException" => {}
        Err(e) => return Err(fail("CreateTable", &e)),
    }
    wait_active(ddb, table).await?;
    let ttl = ddb
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| fail("DescribeTimeToLive", &e))?;
    let status = ttl
        .time_to_live_description
        .and_then(|d| d.time_to_live_status);
    if !matches!(
        status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ) {
        ddb.update_time_to_live()
            .table_name(table)
            .time_to_live_specification(built(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL)
                    .enabled(true)
                    .build(),
            )?)
            .send()
            .await
            .map_err(|e| fail("UpdateTimeToLive", &e))?;
    }
    Ok(())
}

async fn wait_active(ddb: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), ProvisionError> {
    for _ in 0..300 {
        let out = ddb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| fail("DescribeTable", &e))?;
        if out.table.and_then(|t| t.table_status) == Some(TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(ProvisionError("table did not become active".into()))
}

/// Create a symmetric encryption key; returns its key id.
pub async fn create_kms_key(kms: &aws_sdk_kms::Client) -> Result<String, ProvisionError> {
    let out = kms
        .create_key()
        .description("StatX data key wrapping key (dev/test)")
        .send()
        .await
        .map_err(|e| ProvisionError(format!("CreateKey: {}", code(&e))))?;
    out.key_metadata
        .map(|m| m.key_id)
        .ok_or_else(|| ProvisionError("CreateKey: no key metadata".into()))
}

/// Create the bucket unless this account already owns it.
pub async fn ensure_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<(), ProvisionError> {
    let mut req = s3.create_bucket().bucket(bucket);
    let region = s3.config().region().map(|r| r.as_ref().to_string());
    if let Some(region) = region.filter(|r| r != "us-east-1") {
        req = req.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region.as_str()))
                .build(),
        );
    }
    match req.send().await {
        Ok(_) => Ok(()),
        Err(e) if code(&e) == "BucketAlreadyOwnedByYou" => Ok(()),
        Err(e) => Err(ProvisionError(format!("CreateBucket: {}", code(&e)))),
    }
}
