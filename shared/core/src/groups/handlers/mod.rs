//! HTTP handlers of the groups feature.

pub mod groups;
pub mod invitations;
pub mod members;
