//! The master key in AWS: a KMS data key, stored wrapped in the table's `KEYRING` item and
//! unwrapped once per cold start.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use statx_core::crypto::Keyring;
use statx_core::ports::store::{Key, PK, SK};
use statx_core::ports::CryptoError;
use zeroize::Zeroizing;

use crate::dynamo_codec::key_map;

/// Key of the item holding the wrapped data key.
pub const KEYRING_PK: &str = "KEYRING";
pub const KEYRING_SK: &str = "KEYRING";
/// Attribute (`B`) holding the KMS ciphertext of the data key.
pub const WRAPPED_ATTR: &str = "wrappedKey";

/// KMS encryption context bound to the data key: GenerateDataKey and Decrypt must agree.
fn context() -> HashMap<String, String> {
    HashMap::from([
        ("app".to_string(), "statx".to_string()),
        ("purpose".to_string(), "master".to_string()),
    ])
}

fn err(op: &str, e: impl ProvideErrorMetadata) -> CryptoError {
    let code = e.code().unwrap_or("unreachable or unknown error");
    tracing::error!(op, code, "keyring initialisation failed");
    CryptoError::Key(format!("{op}: {code}"))
}

/// Build the `Keyring` from the KMS-wrapped data key in `table`, creating the data key on first
/// use. Concurrent first starts agree: only one `PutItem` (conditioned on the item not
/// existing) wins and the others re-read the winner's key. One DynamoDB read and one KMS call on
/// a normal cold start; the plaintext key is zeroized after the sub-keys are derived.
pub async fn kms_keyring(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
    kms: &aws_sdk_kms::Client,
    key_id: &str,
) -> Result<Keyring, CryptoError> {
    if let Some(wrapped) = read_wrapped(ddb, table).await? {
        return unwrap(kms, key_id, wrapped).await;
    }
    let mut out = kms
        .generate_data_key()
        .key_id(key_id)
        .key_spec(DataKeySpec::Aes256)
        .set_encryption_context(Some(context()))
        .send()
        .await
        .map_err(|e| err("kms:GenerateDataKey", e))?;
    let plaintext = Zeroizing::new(
        out.plaintext
            .take()
            .map(Blob::into_inner)
            .unwrap_or_default(),
    );
    let wrapped = out
        .ciphertext_blob
        .take()
        .ok_or_else(|| CryptoError::Key("kms:GenerateDataKey: no ciphertext".into()))?;
    let mut item = key_map(&Key::new(KEYRING_PK, KEYRING_SK));
    item.insert(
        WRAPPED_ATTR.into(),
        AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(
            wrapped.into_inner(),
        )),
    );
    item.insert("kmsKeyId".into(), AttributeValue::S(key_id.to_string()));
    item.insert(
        "createdAt".into(),
        AttributeValue::S(chrono::Utc::now().to_rfc3339()),
    );
    let put = ddb
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .send()
        .await;
    match put {
        Ok(_) => Keyring::from_slice(&plaintext),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => {
            // Another cold start stored its key first: use that one.
            drop(plaintext);
            let wrapped = read_wrapped(ddb, table)
                .await?
                .ok_or_else(|| CryptoError::Key("keyring item vanished".into()))?;
            unwrap(kms, key_id, wrapped).await
        }
        Err(e) => Err(err("dynamodb:PutItem", e)),
    }
}

async fn read_wrapped(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<Option<Vec<u8>>, CryptoError> {
    let out = ddb
        .get_item()
        .table_name(table)
        .set_key(Some(key_map(&Key::new(KEYRING_PK, KEYRING_SK))))
        .consistent_read(true)
        .projection_expression("#w, #sk")
        .expression_attribute_names("#w", WRAPPED_ATTR)
        .expression_attribute_names("#sk", SK)
        .send()
        .await
        .map_err(|e| err("dynamodb:GetItem", e))?;
    let Some(mut item) = out.item else {
        return Ok(None);
    };
    match item.remove(WRAPPED_ATTR) {
        Some(AttributeValue::B(b)) => Ok(Some(b.into_inner())),
        _ => Err(CryptoError::Key("keyring item is malformed".into())),
    }
}

async fn unwrap(
    kms: &aws_sdk_kms::Client,
    key_id: &str,
    wrapped: Vec<u8>,
) -> Result<Keyring, CryptoError> {
    let mut out = kms
        .decrypt()
        .key_id(key_id)
        .ciphertext_blob(Blob::new(wrapped))
        .set_encryption_context(Some(context()))
        .send()
        .await
        .map_err(|e| err("kms:Decrypt", e))?;
    let plaintext = Zeroizing::new(
        out.plaintext
            .take()
            .map(Blob::into_inner)
            .unwrap_or_default(),
    );
    Keyring::from_slice(&plaintext)
}
