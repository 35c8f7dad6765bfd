//! The account as a whole: export (`GET /v1/me/export`) and deletion (`DELETE /v1/me`) of
//! the profile, sessions and devices, of memberships and invitations, of follows and messages.

pub mod follow;
pub mod groups;
pub mod profile;

pub use crate::groups::test_app;
