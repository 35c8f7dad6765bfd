//! The harness: the app under test and its client, moto_server, the write counter, log
//! capture, and `#[case]`, which registers a case as a test on each backend.

pub mod app;
pub mod client;
pub mod counting;
pub mod logs;
pub mod moto;
pub mod serial;
pub mod sms_record;

pub use statx_tests_macros::case;
