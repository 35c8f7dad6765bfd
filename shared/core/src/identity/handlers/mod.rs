//! HTTP handlers of the identity feature.

pub mod clients;
pub mod devices;
pub mod login;
pub mod profile;
