//! Property tests for the value parsers a client reaches: `Decimal` (stat values, bounds,
//! bar values, alert thresholds), stat bodies (`stats::values::create`, `total`) and RFC 3339
//! timestamps (`domain::stat::timestamp`: due dates and the `from`/`to` of a history range).

use chrono::{DateTime, Duration, FixedOffset, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{json, Value};
use statx_core::domain::stat::{timestamp, Decimal};
use statx_core::domain::time::rfc3339;
use statx_core::stats::values::{create, total, StatInput};

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A decimal as a client may type it: optional sign, 1 to 15 digits, an optional fraction of 1
/// to 10 digits, whitespace around.
fn decimal_text() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(vec!["", "-", "+"]),
        "[0-9]{1,15}",
        prop::option::of("[0-9]{1,10}"),
        prop::sample::select(vec!["", " ", "\t", " \n "]),
        prop::sample::select(vec!["", " ", "\t", " \n "]),
    )
        .prop_map(|(sign, int, frac, before, after)| {
            let plain = match &frac {
                Some(f) => format!("{int}.{f}"),
                None => int.clone(),
            };
            let kept = if sign == "-" {
                format!("-{plain}")
            } else {
                plain.clone()
            };
            (format!("{before}{sign}{plain}{after}"), kept)
        })
}

/// Decimal text without a sign or whitespace, as `Decimal::as_str` keeps it.
fn canonical_decimal() -> impl Strategy<Value = String> {
    decimal_text().prop_map(|(_, kept)| kept)
}

/// Everyday values: up to 10 digits before and 4 after the point, no leading zeros.
fn everyday() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "-"]),
        "0|[1-9][0-9]{0,9}",
        prop::option::of("[0-9]{1,4}"),
    )
        .prop_map(|(sign, int, frac)| match frac {
            Some(f) => format!("{sign}{int}.{f}"),
            None => format!("{sign}{int}"),
        })
}

/// Decimal text as `as_str` keeps it, without leading zeros (`0.5`, not `00.5`).
fn without_leading_zeros() -> impl Strategy<Value = String> {
    canonical_decimal().prop_map(|t| {
        let (sign, rest) = t.strip_prefix('-').map_or(("", t.as_str()), |r| ("-", r));
        let trimmed = rest.trim_start_matches('0');
        if trimmed.is_empty() || trimmed.starts_with('.') {
            format!("{sign}0{trimmed}")
        } else {
            format!("{sign}{trimmed}")
        }
    })
}

/// The exact value of a decimal text in units of 10^-10.
fn scaled(text: &str) -> i128 {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let n = int.parse::<i128>().unwrap() * 10_000_000_000
        + format!("{frac:0<10}").parse::<i128>().unwrap();
    if neg {
        -n
    } else {
        n
    }
}

/// An RFC 3339 spelling of `t` at `offset_min` minutes from UTC, with `frac_digits` digits of
/// its nanoseconds (0: none), `T`/`t`/space, and `Z`/`z`/`+00:00`/`-00:00` for UTC.
fn spell_time(t: DateTime<Utc>, offset_min: i32, frac_digits: usize, style: usize) -> String {
    let off = FixedOffset::east_opt(offset_min * 60).unwrap();
    let local = t.with_timezone(&off).naive_local();
    let sep = ["T", "t", " "][style % 3];
    let mut s = format!(
        "{}{sep}{}",
        local.format("%Y-%m-%d"),
        local.format("%H:%M:%S")
    );
    if frac_digits > 0 {
        let nanos = format!("{:09}", t.timestamp_subsec_nanos());
        s.push('.');
        s.push_str(&nanos[..frac_digits]);
    }
    if offset_min == 0 {
        s.push_str(["Z", "z", "+00:00", "-00:00"][style % 4]);
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        let a = offset_min.abs();
        s.push_str(&format!("{sign}{:02}:{:02}", a / 60, a % 60));
    }
    s
}

/// An instant whose local time at any offset stays within years 0001..=9998 (what a
/// four-digit RFC 3339 year can spell), with nanoseconds.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 0001-01-02 .. 9998-12-30
    (-62_135_510_400i64..253_370_592_000i64, 0u32..1_000_000_000)
        .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap())
}

fn offset() -> impl Strategy<Value = i32> {
    prop_oneof![Just(0), -(23 * 60 + 59)..=(23 * 60 + 59)]
}

/// `t` truncated to `digits` fraction digits.
fn truncated(t: DateTime<Utc>, digits: usize) -> DateTime<Utc> {
    let unit = 10u32.pow(9 - digits as u32);
    let nanos = t.timestamp_subsec_nanos() / unit * unit;
    DateTime::from_timestamp(t.timestamp(), nanos).unwrap()
}

proptest! {
    #![proptest_config(config())]

    /// A decimal within the limits parses, keeps the text that was sent (trimmed, without a `+`),
    /// and that text parses to the same decimal.
    #[test]
    fn decimals_round_trip_through_as_str((input, kept) in decimal_text()) {
        let d = Decimal::parse("value", &input).expect("valid decimal");
        prop_assert_eq!(d.as_str(), kept.as_str());
        let again = Decimal::parse("value", d.as_str()).unwrap();
        prop_assert_eq!(&again, &d);
        prop_assert!(d.as_f64().is_finite());
        prop_assert_eq!(d.as_f64(), kept.parse::<f64>().unwrap());
        // A JSON string holding it is the same decimal.
        prop_assert_eq!(Decimal::from_json("value", &json!(input)).unwrap(), d);
    }

    /// `to_json` gives a JSON number of the same value (for up to 15 significant digits, which
    /// f64 holds exactly).
    #[test]
    fn to_json_is_a_number_of_the_same_value(text in everyday()) {
        let d = Decimal::parse("value", &text).unwrap();
        let j = d.to_json();
        prop_assert!(j.is_number(), "{} -> {}", text, j);
        prop_assert_eq!(j.as_f64().unwrap(), d.as_f64(), "{}", text);
    }

    /// A decimal written with leading zeros (`007`, `00.5`), which `parse` accepts, is a JSON
    /// number too, not `null`.
    #[test]
    fn to_json_of_leading_zeros_is_a_number(text in canonical_decimal()) {
        let d = Decimal::parse("value", &text).unwrap();
        prop_assert!(d.to_json().is_number(), "{} -> {}", text, d.to_json());
    }

    /// Everyday values (up to 10 digits before and 4 after the point) that `to_json` sends
    /// (thresholds in settings) are accepted back as the same value.
    #[test]
    fn everyday_to_json_is_accepted_back(text in everyday()) {
        let d = Decimal::parse("value", &text).unwrap();
        let j = d.to_json();
        let back = Decimal::from_json("value", &j);
        prop_assert!(back.is_ok(), "{} -> {} refused", text, j);
        prop_assert_eq!(back.unwrap().as_f64(), d.as_f64());
    }

    /// Every value `to_json` sends is accepted back as the same value: a client that echoes a
    /// GET into a PUT is not refused.
    #[test]
    #[ignore = "bug: to_json prints 0.0000000001 as 1e-10 and 999999999999999.9999999999 as 1000000000000000.0 (refused back), and is 1 ulp off for 17 significant digits (8390000.4539367140 -> 8390000.453936713): reported to the lead"]
    fn to_json_is_accepted_back(text in without_leading_zeros()) {
        let d = Decimal::parse("value", &text).unwrap();
        let j = d.to_json();
        let back = Decimal::from_json("value", &j);
        prop_assert!(back.is_ok(), "{} -> {} refused", text, j);
        prop_assert_eq!(back.unwrap().as_f64(), d.as_f64());
    }

    /// Nothing panics on arbitrary text, and whatever parses is a plain decimal within limits.
    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        if let Ok(d) = Decimal::parse("value", &input) {
            let t = d.as_str();
            let unsigned = t.strip_prefix('-').unwrap_or(t);
            let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
            prop_assert!((1..=15).contains(&int.len()) && (1..=10).contains(&frac.len()));
            prop_assert!(int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()));
            let _ = d.to_json();
        }
    }

    /// Text close to a decimal (digits, signs, points, exponents, separators) never panics, and
    /// what parses has exactly the value of its text.
    #[test]
    fn decimal_like_text_never_panics(input in "[ +0-9.eE,_-]{0,30}") {
        if let Ok(d) = Decimal::parse("value", &input) {
            prop_assert_eq!(scaled(d.as_str()), scaled(input.trim().trim_start_matches('+')));
        }
    }

    /// Any JSON value as a stat's `value` or bound never panics.
    #[test]
    fn arbitrary_json_values_never_panic(v in json_value(), kind in 0usize..5) {
        let _ = Decimal::from_json("value", &v);
        let body = match kind {
            0 => json!({"title": "t", "visualType": "NUMBER", "value": v}),
            1 => json!({"title": "t", "visualType": "DIALER", "value": v}),
            2 => json!({"title": "t", "visualType": "RANGE", "minValue": v, "maxValue": 10, "value": 5}),
            3 => json!({"title": "t", "visualType": "PICK_LIST", "items": [{"name": "a", "color": "RED"}], "currentIndex": v}),
            _ => json!({"title": "t", "visualType": "HORIZONTAL_BARS", "items": [{"name": "a", "color": "RED", "value": v}]}),
        };
        if let Ok(input) = serde_json::from_value::<StatInput>(body) {
            let _ = create(input);
        }
    }

    /// A NUMBER stat keeps the decimal text it was sent, from a string or a JSON number.
    #[test]
    fn number_stats_keep_the_value_sent((input, kept) in decimal_text()) {
        let body = json!({"title": "t", "visualType": "NUMBER", "value": input});
        let m = create(serde_json::from_value(body).unwrap()).expect("valid NUMBER stat");
        prop_assert_eq!(m.content.value.as_str(), kept.as_str());
    }

    /// A bar chart's value is the exact sum of its bars, whatever their order.
    #[test]
    fn bars_total_is_exact(values in prop::collection::vec(canonical_decimal(), 1..=50)) {
        let items: Vec<Value> = values
            .iter()
            .map(|v| json!({"name": "bar", "color": "BLUE", "value": v}))
            .collect();
        let body = json!({"title": "t", "visualType": "HORIZONTAL_BARS", "items": items});
        let m = create(serde_json::from_value(body).unwrap()).expect("valid bars");
        let sum: i128 = values.iter().map(|v| scaled(v)).sum();
        prop_assert_eq!(scaled(&m.content.value), sum);
        let mut reversed = values.clone();
        reversed.reverse();
        prop_assert_eq!(total(&reversed), m.content.value.clone());
    }

    /// RFC 3339 with any fraction (0 to 9 digits) and any offset parses to the same instant.
    #[test]
    fn timestamps_in_any_offset_are_the_same_instant(
        t in instant(),
        off in offset(),
        digits in 0usize..=9,
        style in 0usize..12,
        pad in prop::sample::select(vec!["", " ", "\t", " \n"]),
    ) {
        let text = format!("{pad}{}{pad}", spell_time(t, off, digits, style));
        let parsed = timestamp("from", &text);
        prop_assert!(parsed.is_ok(), "{:?} refused", text);
        prop_assert_eq!(parsed.unwrap(), truncated(t, digits), "{:?}", text);
    }

    /// Two bounds compare as their instants do, whatever offsets they are written in, so the
    /// reversed-range check (`from` later than `to`) does not depend on the spelling.
    #[test]
    fn range_bounds_compare_as_instants(
        a in instant(),
        b in instant(),
        oa in offset(),
        ob in offset(),
        style in 0usize..12,
    ) {
        let from = timestamp("from", &spell_time(a, oa, 9, style)).unwrap();
        let to = timestamp("to", &spell_time(b, ob, 9, style + 1)).unwrap();
        prop_assert_eq!(from.cmp(&to), a.cmp(&b));
        prop_assert_eq!(from.timestamp_millis().cmp(&to.timestamp_millis()),
            a.timestamp_millis().cmp(&b.timestamp_millis()));
    }

    /// Bounds a second apart, written in different offsets, keep their order and their distance.
    #[test]
    fn adjacent_bounds_keep_their_distance(t in instant(), oa in offset(), ob in offset()) {
        let later = t + Duration::seconds(1);
        let from = timestamp("from", &spell_time(t, oa, 9, 0)).unwrap();
        let to = timestamp("to", &spell_time(later, ob, 9, 0)).unwrap();
        prop_assert_eq!(to - from, Duration::seconds(1));
    }

    /// The second-precision UTC text the API sends back (due dates) parses to the same second.
    #[test]
    fn sent_timestamps_round_trip(t in instant(), off in offset(), digits in 0usize..=9) {
        let parsed = timestamp("dueDateTime", &spell_time(t, off, digits, 0)).unwrap();
        let sent = rfc3339(parsed);
        let again = timestamp("dueDateTime", &sent);
        prop_assert!(again.is_ok(), "{:?} refused", sent);
        let again = again.unwrap();
        prop_assert_eq!(again.timestamp(), parsed.timestamp());
        prop_assert_eq!(rfc3339(again), sent);
    }

    /// A due date written at the edges of the four-digit years, in any offset, is stored as text
    /// that parses again (a client echoing a GET into a PUT is not refused).
    #[test]
    fn due_dates_at_the_year_edges_round_trip(
        edge in prop::sample::select(vec![
            "0000-01-01T00:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59",
        ]),
        off in offset(),
    ) {
        let sign = if off < 0 { '-' } else { '+' };
        let text = format!("{edge}{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60);
        if let Ok(t) = timestamp("dueDateTime", &text) {
            let sent = rfc3339(t);
            prop_assert!(timestamp("dueDateTime", &sent).is_ok(), "{:?} stored as {:?}", text, sent);
        }
    }

    /// Arbitrary text never panics.
    #[test]
    fn arbitrary_text_is_never_a_panic(input in any::<String>()) {
        let _ = timestamp("to", &input);
    }

    /// Text shaped like RFC 3339 with any digits (months 00-99, hours 99, offsets 99:99,
    /// 5-digit years, long fractions) never panics; what parses is a real instant that
    /// prints and parses back.
    #[test]
    fn rfc3339_like_text_never_panics(
        input in "[0-9]{1,5}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,20})?([Zz]|[+-][0-9]{2}:[0-9]{2})",
    ) {
        if let Ok(t) = timestamp("from", &input) {
            let _ = t.timestamp_millis();
            let _ = rfc3339(t);
        }
    }
}

/// Arbitrary JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::from),
        "[ +0-9.eE-]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,5}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
