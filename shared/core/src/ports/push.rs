//! Mobile push (SNS platform endpoints in AWS; an outbox file locally).

use std::collections::BTreeMap;

use async_trait::async_trait;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum PushError {
    #[error("unknown push platform")]
    Platform,
    #[error("push provider failed: {0}")]
    Provider(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// Ids only, never values or phone numbers.
    pub data: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Delivered,
    /// The provider reports the endpoint disabled (uninstalled app, expired token): the caller
    /// should forget the device.
    Disabled,
}

#[async_trait]
pub trait Push: Send + Sync {
    /// Register a device token for `platform` (`APNS`, `APNS_SANDBOX`, `GCM`); returns the
    /// provider's endpoint id (an SNS endpoint ARN; locally the device id itself).
    async fn register(
        &self,
        device_id: &str,
        platform: &str,
        token: &str,
    ) -> Result<String, PushError>;
    async fn send(
        &self,
        device_id: &str,
        platform: &str,
        endpoint: &str,
        message: &PushMessage,
    ) -> Result<PushOutcome, PushError>;
    async fn unregister(&self, endpoint: &str) -> Result<(), PushError>;
}
