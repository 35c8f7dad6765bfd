//! StatX end-to-end suites and their harness.

pub mod account;
pub mod app;
pub mod conformance;
pub mod counting;
pub mod e2e;
pub mod groups;
pub mod logs;
pub mod moto;
pub mod notify;
pub mod serial;
pub mod sms_record;
pub mod stats;
