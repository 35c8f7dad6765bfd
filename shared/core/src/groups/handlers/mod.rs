//! HTTP handlers of the groups feature.

pub mod groups;
pub mod invitations;
pub mod members;

crate::http::error::api_error_from!(crate::groups::GroupError);
