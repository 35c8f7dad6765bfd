//! `RecordingSms`: the SMS port of a moto-backed `TestApp`. Every text goes through the real
//! SNS adapter to moto_server and, once SNS accepted it, is recorded here, where `sms_to` reads
//! it back.
//!
//! Reading texts back from moto (`/moto-api/data.json`) serialises moto's entire state — every
//! DynamoDB item instance any test ever created — so each read grew slower over a run and late
//! suites neared the per-test timeout. That SNS really delivers to moto is the messaging
//! conformance suite's job (it still reads data.json).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use statx_core::ports::{Sms, SmsError};

pub struct RecordingSms {
    inner: Arc<dyn Sms>,
    sent: Mutex<Vec<(String, String)>>,
}

impl RecordingSms {
    pub fn new(inner: Arc<dyn Sms>) -> Self {
        Self {
            inner,
            sent: Mutex::new(Vec::new()),
        }
    }

    /// Texts SNS accepted for `to`, oldest first.
    pub fn to(&self, to: &str) -> Vec<String> {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(n, _)| n == to)
            .map(|(_, t)| t.clone())
            .collect()
    }
}

#[async_trait]
impl Sms for RecordingSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        self.inner.send(to, text).await?;
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((to.to_string(), text.to_string()));
        Ok(())
    }
}
