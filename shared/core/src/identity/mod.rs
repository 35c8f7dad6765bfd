//! Identity: sign-in by SMS code, codes and their limits, sessions (clients), phone change,
//! the profile and push devices.

pub mod devices;
pub mod handlers;
pub mod limits;
pub mod login;
pub mod otp;
pub mod parts;
pub mod phone_change;
pub mod profile;
pub mod session;
pub mod signout;
