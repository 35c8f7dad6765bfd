//! HTTP handlers of the stats feature.

pub mod attachments;
pub mod extras;
pub mod stats;
