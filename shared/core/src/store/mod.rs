//! The store kernel: keys, sealing, batch and page helpers, the one optimistic-transaction
//! helper and the group sweep. It knows keys and items, never a feature.

pub mod batch;
pub mod keys;
pub mod retry;
pub mod sealed;
pub mod sweep;
