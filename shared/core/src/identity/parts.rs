//! The shape of a feature's share of a user's account. Features that store data belonging to a
//! user define one `AccountPart`; the account feature (`crate::account::PARTS`) lists them and
//! runs every one for export and erasure.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::domain::caller::Caller;
use crate::{Deps, Fault};

pub type PartFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, Fault>> + Send + 'a>>;

/// One feature's share of a user's data.
pub struct AccountPart {
    /// Key of this part in the export document and in the deletion summary.
    pub name: &'static str,
    /// Everything of the caller's own data this feature holds, as JSON (never other people's
    /// phone numbers).
    pub export: for<'a> fn(&'a Deps, &'a Caller) -> PartFuture<'a>,
    /// Erase it; returns a summary of what was deleted (counts, ids). Must be idempotent: a
    /// deletion interrupted by a fault is completed by the next attempt.
    pub erase: for<'a> fn(&'a Deps, &'a Caller) -> PartFuture<'a>,
}
