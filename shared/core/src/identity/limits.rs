//! SMS abuse defence (docs/security.md, codes and limits). SMS cost money and phone numbers are identities, so
//! every code we send passes, in this order:
//!
//! 1. the per-source-IP login cap (a refused login is a 429, like any throttle);
//! 2. the destination check: the country allowlist and the number type (premium rate, toll
//!    free...) — a refused number gets the *normal* answer and no SMS, so the response never
//!    tells whether a number is allowed, known or not;
//! 3. the per-number cooldown (checked by the caller on the code item, atomically) and the
//!    per-number hourly and daily caps (429 + Retry-After);
//! 4. the global circuit breaker: at most N SMS per minute across the service (503 +
//!    Retry-After).
//!
//! Counters live in the item store under `RATE#<scope>#<window>` with a TTL, incremented with
//! an atomic conditional add, so they hold across every Lambda instance. Windows are fixed
//! (clock hour, UTC day, clock minute). IPs are stored only as a blind index.

use chrono::{DateTime, Utc};

use crate::domain::PhoneNumber;
use crate::ports::CounterOutcome;
use crate::store::keys;
use crate::store::keys::kind;
use crate::Deps;
use crate::Fault;

#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// A per-IP or per-number cap: try again after this many seconds.
    #[error("throttled")]
    Throttled { retry_after: u64 },
    /// The global SMS circuit breaker is open.
    #[error("sms circuit breaker open")]
    Breaker { retry_after: u64 },
    #[error(transparent)]
    Fault(#[from] Fault),
}

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const MINUTE: i64 = 60;

/// Count one event in the fixed window of `len` seconds containing `now`; refuse past `cap`.
async fn count(
    deps: &Deps,
    scope: &str,
    len: i64,
    cap: i64,
    now: DateTime<Utc>,
) -> Result<Result<(), u64>, Fault> {
    let t = now.timestamp();
    let window = t.div_euclid(len);
    let end = (window + 1) * len;
    let key = keys::rate(&format!("{scope}#{window}"));
    match deps.store.add_counter(&key, "n", 1, cap, end + 60).await? {
        CounterOutcome::Counted(_) => Ok(Ok(())),
        CounterOutcome::CapReached => Ok(Err((end - t).max(1) as u64)),
    }
}

/// Per-source-IP login cap. Requests without a source IP (never from API Gateway) share one
/// bucket.
pub async fn login_from_ip(deps: &Deps, ip: Option<&str>) -> Result<(), LimitError> {
    let ip_index = deps
        .crypto
        .blind_index(kind::SOURCE_IP, ip.unwrap_or("unknown").as_bytes());
    let cap = deps.config.limits.logins_per_ip_hour;
    let now = deps.clock.now();
    count(deps, &format!("ip#{ip_index}#h"), HOUR, cap, now)
        .await?
        .map_err(|retry_after| LimitError::Throttled { retry_after })
}

/// May this number get an SMS at all: allowed country and a number type that is a person's
/// phone. Refused numbers get the normal answer and no SMS.
pub fn destination_allowed(deps: &Deps, phone: &PhoneNumber) -> bool {
    let countries = &deps.config.limits.sms_countries;
    phone.may_receive_sms()
        && phone
            .region()
            .is_some_and(|r| countries.iter().any(|c| c == r))
}

/// Per-number hourly and daily caps on codes.
pub async fn codes_to_number(deps: &Deps, phone_index: &str) -> Result<(), LimitError> {
    let l = &deps.config.limits;
    let now = deps.clock.now();
    for (scope, len, cap) in [
        (format!("ph#{phone_index}#h"), HOUR, l.sms_per_number_hour),
        (format!("ph#{phone_index}#d"), DAY, l.sms_per_number_day),
    ] {
        if let Err(retry_after) = count(deps, &scope, len, cap, now).await? {
            return Err(LimitError::Throttled { retry_after });
        }
    }
    Ok(())
}

/// The global breaker: every SMS the service sends (codes, invitations) passes here last.
pub async fn sms_breaker(deps: &Deps) -> Result<(), LimitError> {
    let now = deps.clock.now();
    count(
        deps,
        "sms#m",
        MINUTE,
        deps.config.limits.sms_per_minute,
        now,
    )
    .await?
    .map_err(|retry_after| LimitError::Breaker { retry_after })
}

/// Per-number cooldown: at most one code per `sms_cooldown_secs` to a number, whatever the
/// purpose (sign-in or phone change). Exact and race-free: the cooldown item is claimed with a
/// conditional write, so of many concurrent requests exactly one passes.
pub async fn cooldown(deps: &Deps, phone_index: &str) -> Result<(), LimitError> {
    use crate::ports::store::item;
    use crate::ports::{Cond, ItemExt, StoreError, Value};
    let key = keys::rate(&format!("cool#{phone_index}"));
    let now = deps.clock.now().timestamp();
    let secs = deps.config.limits.sms_cooldown_secs;
    let current = deps.store.get(&key).await.map_err(Fault::from)?;
    let cond = match &current {
        Some(c) => {
            let until = c.n("until").unwrap_or(0);
            if until > now {
                return Err(LimitError::Throttled {
                    retry_after: (until - now) as u64,
                });
            }
            Cond::VersionIs(c.version())
        }
        None => Cond::NotExists,
    };
    let version = current.as_ref().map_or(0, |c| c.version()) + 1;
    let claim = item(
        &key,
        [
            ("until", Value::N(now + secs)),
            ("ttl", Value::N(now + secs + 60)),
            ("version", Value::N(version)),
        ],
    );
    match deps.store.put(claim, cond).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed) => Err(LimitError::Throttled {
            retry_after: secs.max(1) as u64,
        }),
        Err(e) => Err(Fault::from(e).into()),
    }
}
