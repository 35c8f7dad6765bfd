//! Minimal query-string encoding for presigned blob URLs (RFC 3986 percent-encoding).

use std::collections::BTreeMap;

/// Percent-encode everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Malformed;

fn hex(b: u8) -> Result<u8, Malformed> {
    (b as char).to_digit(16).map(|d| d as u8).ok_or(Malformed)
}

/// Decode `%XX` escapes (`+` is kept as is: we never emit it for a space).
pub(crate) fn percent_decode(s: &str) -> Result<String, Malformed> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let (hi, lo) = (bytes.get(i + 1), bytes.get(i + 2));
            let (Some(&hi), Some(&lo)) = (hi, lo) else {
                return Err(Malformed);
            };
            out.push(hex(hi)? << 4 | hex(lo)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Malformed)
}

/// `a=1&b=x%2Fy` -> {a: 1, b: x/y}. A repeated name is malformed (no ambiguity about which
/// value was signed).
pub(crate) fn parse_query(q: &str) -> Result<BTreeMap<String, String>, Malformed> {
    let mut out = BTreeMap::new();
    for pair in q
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if out
            .insert(percent_decode(name)?, percent_decode(value)?)
            .is_some()
        {
            return Err(Malformed);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let ct = "image/svg+xml; charset=utf-8";
        let enc = percent_encode(ct);
        assert_eq!(enc, "image%2Fsvg%2Bxml%3B%20charset%3Dutf-8");
        assert_eq!(percent_decode(&enc).unwrap(), ct);
        let q = parse_query(&format!("?op=put&ct={enc}&x")).unwrap();
        assert_eq!(q["ct"], ct);
        assert_eq!(q["x"], "");
        assert_eq!(parse_query("a=1&a=2"), Err(Malformed));
        assert_eq!(percent_decode("%G1"), Err(Malformed));
        assert_eq!(percent_decode("%2"), Err(Malformed));
        assert_eq!(percent_decode("%FF"), Err(Malformed));
    }
}
