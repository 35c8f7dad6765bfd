//! Timestamps on the wire: RFC 3339, UTC, second precision, `Z`.

use chrono::{DateTime, Utc};

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
