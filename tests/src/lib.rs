//! StatX end-to-end suites and their harness.
//!
//! The suites are organised by feature. Each case is an `async fn` marked `#[case]` where it
//! is defined, which makes it a unit test of this library on both backends
//! (`<feature>::<file>::<case>::local` and `::aws`; see `harness::case`), so none can be left
//! out. They are compiled for tests only. The port conformance suites, the route table and
//! the Lambda event checks are integration tests under tests/tests.

pub mod conformance;
pub mod harness;

#[cfg(test)]
pub mod account;
#[cfg(test)]
pub mod chat;
#[cfg(test)]
pub mod follow;
#[cfg(test)]
pub mod groups;
#[cfg(test)]
pub mod identity;
#[cfg(test)]
pub mod notify;
#[cfg(test)]
pub mod stats;
