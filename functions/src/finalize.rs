//! `finalize_attachment`: the S3 `Object Created` handler. The template delivers it through
//! EventBridge (an S3 notification on the bucket would make a dependency cycle with the
//! functions that name the bucket); the classic S3 notification shape (`Records`) is accepted
//! too. Each object of our bucket is checked by `statx_core::stats::attachments::finalize`.
//! A fault is returned as an error, so Lambda retries the event and then sends it to the
//! function's dead-letter queue.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::s3::S3Event;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use statx_core::stats::attachments::{self, Outcome};
use statx_core::Deps;

/// `detail` of an EventBridge `Object Created` event from S3.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ObjectCreated {
    pub bucket: BucketRef,
    pub object: ObjectRef,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BucketRef {
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ObjectRef {
    pub key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FinalizeError {
    #[error("not an S3 object-created event")]
    Shape,
    #[error(transparent)]
    Fault(#[from] statx_core::Fault),
}

/// `(bucket, key)` of every object the event names. S3 notification keys are URL-encoded
/// (`+` for a space); EventBridge keys are not.
pub fn objects(event: &Value) -> Result<Vec<(String, String)>, FinalizeError> {
    if event.get("Records").is_some() {
        let e: S3Event = serde_json::from_value(event.clone()).map_err(|_| FinalizeError::Shape)?;
        return Ok(e
            .records
            .into_iter()
            .filter_map(|r| {
                let key = r.s3.object.url_decoded_key.or(r.s3.object.key)?;
                Some((r.s3.bucket.name?, decode(&key)))
            })
            .collect());
    }
    let e: EventBridgeEvent<ObjectCreated> =
        serde_json::from_value(event.clone()).map_err(|_| FinalizeError::Shape)?;
    if e.source != "aws.s3" || e.detail_type != "Object Created" {
        return Err(FinalizeError::Shape);
    }
    Ok(vec![(e.detail.bucket.name, e.detail.object.key)])
}

fn decode(key: &str) -> String {
    let bytes = key.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Finalize every object of the event that is in our bucket.
pub async fn handle(deps: &Deps, event: &Value) -> Result<Vec<Outcome>, FinalizeError> {
    let mut outcomes = Vec::new();
    for (bucket, key) in objects(event)? {
        if bucket != deps.config.bucket {
            tracing::warn!("finalize: event for another bucket ignored");
            outcomes.push(Outcome::Ignored);
            continue;
        }
        outcomes.push(attachments::finalize(deps, &key).await?);
    }
    Ok(outcomes)
}
