//! The one optimistic-concurrency helper. Every read-modify-write of the service runs through
//! `transact`: read, decide the writes (each conditional on what was read), commit them as one
//! transaction, and start again from the read when a condition no longer holds. One attempt
//! policy for the whole service: `ATTEMPTS` tries with a short randomised pause between them.

use std::future::Future;
use std::time::Duration;

use crate::ports::{StoreError, Write};
use crate::{Deps, Fault};

/// Attempts before giving up with `Fault::Contention`.
pub const ATTEMPTS: usize = 64;

/// What one attempt decided.
pub enum Step<T> {
    /// Commit these writes as one transaction; once committed the answer is `T`.
    Commit(Vec<Write>, T),
    /// Nothing to write (already in the wanted state): the answer is `T`.
    Done(T),
}

/// Run `attempt` until its writes commit (or it has nothing to write). A cancelled transaction
/// (a condition no longer holds: someone else wrote first) runs the attempt again from its
/// reads; any other error ends it. The attempt gets its number (0 for the first), so a first
/// attempt may use what the caller already read.
pub async fn transact<T, E, F, Fut>(deps: &Deps, attempt: F) -> Result<T, E>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<Step<T>, E>>,
    E: From<Fault>,
{
    match transact_unless(deps, |_| false, attempt).await? {
        Ok(v) => Ok(v),
        Err(Refused) => Err(Fault::Contention.into()),
    }
}

/// A cancelled transaction that `transact_unless` was told not to run again.
#[derive(Debug)]
pub struct Refused;

/// As `transact`, except that a cancelled transaction whose failed writes (their indexes in the
/// attempt's writes) `refuse` accepts is not tried again: the answer is then `Ok(Err(Refused))`
/// (for a condition that another attempt cannot meet, e.g. a key that belongs to someone else).
pub async fn transact_unless<T, E, F, Fut>(
    deps: &Deps,
    refuse: impl Fn(&[usize]) -> bool,
    mut attempt: F,
) -> Result<Result<T, Refused>, E>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<Step<T>, E>>,
    E: From<Fault>,
{
    for n in 0..ATTEMPTS {
        match attempt(n).await? {
            Step::Done(v) => return Ok(Ok(v)),
            Step::Commit(writes, v) => match deps.store.transact(writes).await {
                Ok(()) => return Ok(Ok(v)),
                Err(StoreError::TransactionCanceled { failed }) if refuse(&failed) => {
                    return Ok(Err(Refused))
                }
                Err(StoreError::TransactionCanceled { .. }) => backoff(deps, n).await,
                Err(e) => return Err(Fault::from(e).into()),
            },
        }
    }
    Err(Fault::Contention.into())
}

/// Commit writes that hold whatever else happens (unconditional deletes and puts): they only
/// fail on a conflicting concurrent transaction, so they are simply tried again.
pub async fn transact_blind(deps: &Deps, writes: Vec<Write>) -> Result<(), Fault> {
    transact(deps, |_| {
        let writes = writes.clone();
        async move { Ok::<_, Fault>(Step::Commit(writes, ())) }
    })
    .await
}

/// The single-item form of `transact`: the attempt reads, then makes its one conditional write
/// itself (an update or delete conditional on the version read) and answers `Some(answer)`, or
/// `None` when the condition no longer held (someone else wrote first): then it runs again from
/// its read, under the same attempt policy.
pub async fn conditional<T, E, F, Fut>(deps: &Deps, mut attempt: F) -> Result<T, E>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<Option<T>, E>>,
    E: From<Fault>,
{
    for n in 0..ATTEMPTS {
        if let Some(v) = attempt(n).await? {
            return Ok(v);
        }
        backoff(deps, n).await;
    }
    Err(Fault::Contention.into())
}

/// A short randomised pause between attempts, so racing writers spread out instead of
/// colliding again.
async fn backoff(deps: &Deps, attempt: usize) {
    let mut b = [0u8; 1];
    deps.random.fill(&mut b);
    let ms = 2 + 4 * attempt.min(8) as u64 + u64::from(b[0] % 16);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
