//! StatX core: domain values, ports (traits), the store kernel, one folder per feature (use
//! cases and their HTTP handlers) and the HTTP framework. No AWS SDK here. `docs/` describes the
//! layers and the order in which they may import each other.

pub mod config;
pub mod crypto;
pub mod deps;
pub mod domain;
pub mod fault;
pub mod ports;
pub mod store;
pub mod telemetry;

pub mod identity;

pub mod groups;

pub mod chat;
pub mod follow;
pub mod stats;

pub mod notify;

pub mod account;

pub mod http;

pub use config::Config;
pub use deps::Deps;
pub use fault::Fault;
