//! StatX core: domain, ports (traits), use cases and the HTTP layer. No AWS SDK here.

pub mod app;
pub mod config;
pub mod crypto;
pub mod deps;
pub mod domain;
pub mod http;
pub mod ports;
pub mod telemetry;

pub use config::Config;
pub use deps::Deps;
