//! Validated pieces of a stat: visual types, colours, decimal values and due dates.
//! Each parser names the field in its error, never the value.

use std::fmt;

use chrono::{DateTime, Utc};

/// Every visual type a stat may have (StatX v1 names on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VisualType {
    Number,
    Dialer,
    Range,
    PickList,
    HorizontalBars,
}

impl VisualType {
    pub const ALL: [VisualType; 5] = [
        Self::Number,
        Self::Dialer,
        Self::Range,
        Self::PickList,
        Self::HorizontalBars,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "NUMBER",
            Self::Dialer => "DIALER",
            Self::Range => "RANGE",
            Self::PickList => "PICK_LIST",
            Self::HorizontalBars => "HORIZONTAL_BARS",
        }
    }

    /// Case-insensitive; the wire form is upper case.
    pub fn parse(s: &str) -> Result<Self, String> {
        let up = s.trim().to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == up)
            .ok_or_else(|| {
                "visualType must be one of NUMBER, DIALER, RANGE, PICK_LIST, HORIZONTAL_BARS."
                    .to_string()
            })
    }

    /// Types whose `value` is derived from `items` (and `currentIndex`).
    pub fn has_items(self) -> bool {
        matches!(self, Self::PickList | Self::HorizontalBars)
    }
}

impl fmt::Display for VisualType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Named colours StatX clients know; anything else must be `#RRGGBB`.
pub const COLOR_NAMES: &[&str] = &[
    "GREEN", "AMBER", "RED", "YELLOW", "ORANGE", "BLUE", "PURPLE", "PINK", "TEAL", "GRAY", "BLACK",
    "WHITE",
];

/// A colour: a name from `COLOR_NAMES` (upper case) or `#RRGGBB` (upper-case hex).
pub fn color(field: &str, input: &str) -> Result<String, String> {
    let t = input.trim();
    let up = t.to_ascii_uppercase();
    if COLOR_NAMES.contains(&up.as_str()) {
        return Ok(up);
    }
    let hex = up.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(up);
    }
    Err(format!(
        "{field} must be a colour name ({}) or #RRGGBB.",
        COLOR_NAMES.join(", ")
    ))
}

/// Digits allowed before and after the decimal point.
const INT_DIGITS: usize = 15;
const FRAC_DIGITS: usize = 10;

/// A plain decimal number kept as the text the client sent (trimmed, without a leading `+`),
/// so `"42.50"` comes back as `"42.50"`; `as_f64` is for comparisons only.
#[derive(Debug, Clone, PartialEq)]
pub struct Decimal {
    text: String,
    value: f64,
}

impl Decimal {
    /// `-12.5`, `42`, `0.001`: an optional sign, up to 15 digits, an optional fraction of up to
    /// 10 digits. No exponents, separators, NaN or infinities.
    pub fn parse(field: &str, input: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{field} must be a plain decimal number such as 42 or -3.75 \
                 (at most {INT_DIGITS} digits before and {FRAC_DIGITS} after the point)."
            )
        };
        let t = input.trim();
        let unsigned = t.strip_prefix(|c| c == '-' || c == '+').unwrap_or(t);
        let (int, frac) = match unsigned.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (unsigned, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || int.len() > INT_DIGITS {
            return Err(bad());
        }
        if let Some(f) = frac {
            if !digits(f) || f.len() > FRAC_DIGITS {
                return Err(bad());
            }
        }
        let text = t.strip_prefix('+').unwrap_or(t).to_string();
        let value: f64 = text.parse().map_err(|_| bad())?;
        Ok(Self { text, value })
    }

    /// From JSON: a string or a number (numbers are printed by serde_json; exponents refused).
    pub fn from_json(field: &str, v: &serde_json::Value) -> Result<Self, String> {
        match v {
            serde_json::Value::String(s) => Self::parse(field, s),
            serde_json::Value::Number(n) => Self::parse(field, &n.to_string()),
            _ => Err(format!("{field} must be a number or a string holding one.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn as_f64(&self) -> f64 {
        self.value
    }

    /// The value as a JSON number (for item values and thresholds).
    pub fn to_json(&self) -> serde_json::Value {
        // JSON numbers have no leading zeros: "007" is 7, "-00.5" is -0.5.
        let (sign, unsigned) = match self.text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", self.text.as_str()),
        };
        let trimmed = unsigned.trim_start_matches('0');
        let canonical = if trimmed.is_empty() || trimmed.starts_with('.') {
            format!("{sign}0{trimmed}")
        } else {
            format!("{sign}{trimmed}")
        };
        serde_json::from_str::<serde_json::Number>(&canonical)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// A point in time as clients send it: RFC 3339 with any fraction and offset. Returned as UTC,
/// whole seconds (`crate::domain::time::rfc3339`).
pub fn timestamp(field: &str, input: &str) -> Result<DateTime<Utc>, String> {
    use chrono::Datelike;
    DateTime::parse_from_rfc3339(input.trim())
        .map(|t| t.with_timezone(&Utc))
        .ok()
        // In UTC it must still be a year RFC 3339 can write (0000-01-01T00:00+00:01 is not).
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or_else(|| format!("{field} must be an RFC 3339 timestamp, e.g. 2026-05-01T17:00:00Z."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visual_types() {
        assert_eq!(VisualType::parse("pick_list"), Ok(VisualType::PickList));
        assert_eq!(VisualType::parse("NUMBER").unwrap().as_str(), "NUMBER");
        assert!(VisualType::parse("PIE").is_err());
    }

    #[test]
    fn colours() {
        assert_eq!(color("c", "green").unwrap(), "GREEN");
        assert_eq!(color("c", "#a1b2c3").unwrap(), "#A1B2C3");
        for bad in ["", "#12345", "#12345G", "mauve", "123456"] {
            assert!(color("c", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimals() {
        assert_eq!(Decimal::parse("v", " 42.50 ").unwrap().as_str(), "42.50");
        assert_eq!(Decimal::parse("v", "+7").unwrap().as_str(), "7");
        assert_eq!(Decimal::parse("v", "-0.5").unwrap().as_f64(), -0.5);
        for bad in [
            "",
            "-",
            "1e5",
            "NaN",
            "inf",
            "1,000",
            ".5",
            "5.",
            "1.2.3",
            "0x10",
            "1234567890123456",
            "1.12345678901",
        ] {
            assert!(Decimal::parse("v", bad).is_err(), "{bad}");
        }
        let n = serde_json::json!(12.25);
        assert_eq!(Decimal::from_json("v", &n).unwrap().as_str(), "12.25");
        assert!(Decimal::from_json("v", &serde_json::json!(1e300)).is_err());
        assert!(Decimal::from_json("v", &serde_json::json!(true)).is_err());
        assert_eq!(
            Decimal::parse("v", "42.50").unwrap().to_json(),
            serde_json::json!(42.5)
        );
    }

    #[test]
    fn timestamps() {
        let t = timestamp("d", "2026-05-01T19:00:00.123456789+02:00").unwrap();
        assert_eq!(crate::domain::time::rfc3339(t), "2026-05-01T17:00:00Z");
        assert!(timestamp("d", "").is_err());
        assert!(timestamp("d", "2026-05-01").is_err());
    }
}
