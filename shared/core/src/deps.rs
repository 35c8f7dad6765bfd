//! The ports a use case may call, built once at init (Lambda cold start or local server start)
//! and shared by every request.

use std::sync::Arc;

use crate::config::Config;
use crate::ports::{Blobs, Clock, Crypto, ItemStore, Push, Random, Sms};

#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn ItemStore>,
    pub crypto: Arc<dyn Crypto>,
    pub sms: Arc<dyn Sms>,
    pub push: Arc<dyn Push>,
    pub blobs: Arc<dyn Blobs>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub config: Arc<Config>,
}
