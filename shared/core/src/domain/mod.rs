//! Domain types: values that cannot hold invalid data once constructed.

pub mod caller;
pub mod ids;
pub mod phone;
pub mod stat;
pub mod text;
pub mod time;

pub use phone::PhoneNumber;
