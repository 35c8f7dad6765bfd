//! `Sms` and `Push` on Amazon SNS.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::operation::publish::PublishError;
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use serde_json::json;
use statx_core::ports::{Push, PushError, PushMessage, PushOutcome, Sms, SmsError};

use crate::sdk_error::code;

/// SMS through SNS Publish to a phone number, as a transactional message.
#[derive(Debug, Clone)]
pub struct SnsSms {
    client: Client,
}

impl SnsSms {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl Sms for SnsSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let sms_type = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|_| SmsError::Provider("sns:Publish: bad message attribute".into()))?;
        self.client
            .publish()
            .phone_number(to)
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", sms_type)
            .send()
            .await
            .map_err(|e| {
                let code = code(&e);
                tracing::warn!(code, "sms publish failed");
                SmsError::Provider(format!("sns:Publish: {code}"))
            })?;
        Ok(())
    }
}

/// Mobile push through SNS platform endpoints, one platform application per platform
/// (`APNS`, `APNS_SANDBOX`, `GCM`).
#[derive(Debug, Clone)]
pub struct SnsPush {
    client: Client,
    platform_arns: BTreeMap<String, String>,
}

impl SnsPush {
    pub fn new(client: Client, platform_arns: BTreeMap<String, String>) -> Self {
        Self {
            client,
            platform_arns,
        }
    }

    /// Make sure an existing endpoint carries `token` and is enabled (AWS's recommended
    /// registration flow: tokens change, and endpoints get disabled by the provider).
    async fn refresh(&self, arn: &str, token: &str) -> Result<(), PushError> {
        let attrs = self
            .client
            .get_endpoint_attributes()
            .endpoint_arn(arn)
            .send()
            .await
            .map_err(|e| provider("sns:GetEndpointAttributes", &e))?
            .attributes
            .unwrap_or_default();
        let enabled = attrs
            .get("Enabled")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if enabled && attrs.get("Token").map(String::as_str) == Some(token) {
            return Ok(());
        }
        self.client
            .set_endpoint_attributes()
            .endpoint_arn(arn)
            .attributes("Token", token)
            .attributes("Enabled", "true")
            .send()
            .await
            .map_err(|e| provider("sns:SetEndpointAttributes", &e))?;
        Ok(())
    }
}

fn provider<E: ProvideErrorMetadata, R>(op: &str, e: &SdkError<E, R>) -> PushError {
    let code = code(e);
    tracing::warn!(op, code, "push provider call failed");
    PushError::Provider(format!("{op}: {code}"))
}

/// The endpoint ARN quoted by SNS when a token is already registered with other attributes
/// ("... Endpoint arn:aws:sns:... already exists with the same Token ...").
fn existing_endpoint(message: &str) -> Option<&str> {
    let rest = &message[message.find("Endpoint arn:")? + "Endpoint ".len()..];
    let arn = rest.split_whitespace().next()?;
    rest[arn.len()..]
        .trim_start()
        .starts_with("already exists")
        .then_some(arn)
}

/// The SNS `MessageStructure=json` payload for `platform`.
pub(crate) fn payload(platform: &str, message: &PushMessage) -> Result<String, PushError> {
    let inner = match platform {
        "APNS" | "APNS_SANDBOX" => json!({
            "aps": {
                "alert": {"title": message.title, "body": message.body},
                "sound": "default",
            },
            "data": message.data,
        }),
        "GCM" => json!({
            "notification": {"title": message.title, "body": message.body},
            "data": message.data,
        }),
        _ => return Err(PushError::Platform),
    };
    let mut outer = serde_json::Map::new();
    outer.insert("default".into(), json!(message.body));
    outer.insert(platform.into(), json!(inner.to_string()));
    Ok(serde_json::Value::Object(outer).to_string())
}

#[async_trait]
impl Push for SnsPush {
    async fn register(
        &self,
        _device_id: &str,
        platform: &str,
        token: &str,
    ) -> Result<String, PushError> {
        let app = self
            .platform_arns
            .get(platform)
            .ok_or(PushError::Platform)?;
        let created = self
            .client
            .create_platform_endpoint()
            .platform_application_arn(app)
            .token(token)
            .send()
            .await;
        let arn = match created {
            Ok(out) => out
                .endpoint_arn
                .ok_or_else(|| PushError::Provider("sns:CreatePlatformEndpoint: no arn".into()))?,
            Err(e) => match e.message().and_then(existing_endpoint) {
                Some(arn) if e.code() == Some("InvalidParameter") => arn.to_string(),
                _ => return Err(provider("sns:CreatePlatformEndpoint", &e)),
            },
        };
        self.refresh(&arn, token).await?;
        Ok(arn)
    }

    async fn send(
        &self,
        _device_id: &str,
        platform: &str,
        endpoint: &str,
        message: &PushMessage,
    ) -> Result<PushOutcome, PushError> {
        let body = payload(platform, message)?;
        let result = self
            .client
            .publish()
            .target_arn(endpoint)
            .message_structure("json")
            .message(body)
            .send()
            .await;
        match result {
            Ok(_) => Ok(PushOutcome::Delivered),
            Err(e) => match e.as_service_error() {
                Some(PublishError::EndpointDisabledException(_))
                | Some(PublishError::NotFoundException(_)) => Ok(PushOutcome::Disabled),
                _ => Err(provider("sns:Publish", &e)),
            },
        }
    }

    async fn unregister(&self, endpoint: &str) -> Result<(), PushError> {
        match self
            .client
            .delete_endpoint()
            .endpoint_arn(endpoint)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("NotFound") => Ok(()),
            Err(e) => Err(provider("sns:DeleteEndpoint", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_existing_endpoint_in_the_error() {
        let m = "Invalid parameter: Token Reason: Endpoint arn:aws:sns:us-east-1:1:endpoint/GCM/app/x already exists with the same Token, but different attributes.";
        assert_eq!(
            existing_endpoint(m),
            Some("arn:aws:sns:us-east-1:1:endpoint/GCM/app/x")
        );
        assert_eq!(existing_endpoint("Invalid parameter: Token"), None);
    }

    #[test]
    fn payload_nests_platform_json() {
        let msg = PushMessage {
            title: "T".into(),
            body: "B".into(),
            data: BTreeMap::from([("groupId".to_string(), "g1".to_string())]),
        };
        let p: serde_json::Value = serde_json::from_str(&payload("GCM", &msg).unwrap()).unwrap();
        assert_eq!(p["default"], "B");
        let inner: serde_json::Value = serde_json::from_str(p["GCM"].as_str().unwrap()).unwrap();
        assert_eq!(inner["notification"]["title"], "T");
        assert_eq!(inner["data"]["groupId"], "g1");
        let p: serde_json::Value = serde_json::from_str(&payload("APNS", &msg).unwrap()).unwrap();
        let inner: serde_json::Value = serde_json::from_str(p["APNS"].as_str().unwrap()).unwrap();
        assert_eq!(inner["aps"]["alert"]["body"], "B");
        assert_eq!(payload("WNS", &msg), Err(PushError::Platform));
    }
}
