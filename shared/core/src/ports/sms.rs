//! Sending SMS (SNS Publish in AWS; an outbox file locally).

use async_trait::async_trait;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SmsError {
    /// The provider refused or failed; the message never contains the number or the text.
    #[error("sms provider failed: {0}")]
    Provider(String),
}

#[async_trait]
pub trait Sms: Send + Sync {
    /// Send `text` to `to`, an E.164 number (`+15555550123`).
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError>;
}
