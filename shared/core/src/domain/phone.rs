//! `PhoneNumber`: an E.164 number parsed with the `phonenumber` crate. The only identity.

use std::fmt;

use phonenumber::{Mode, Type};

/// A phone number normalised to E.164 (`+15555550123`). Its `Debug` output is redacted so it
/// cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    e164: String,
    kind: Type,
    region: Option<String>,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum PhoneError {
    #[error("phoneNumber must be a phone number in international format, e.g. +15555550123")]
    Unparseable,
}

/// Number types that never receive an SMS from us (cost or abuse risk, or not a person).
const NO_SMS_TYPES: &[Type] = &[
    Type::PremiumRate,
    Type::SharedCost,
    Type::TollFree,
    Type::Uan,
    Type::Voicemail,
    Type::ShortCode,
    Type::Emergency,
    Type::Carrier,
    Type::Pager,
];

impl PhoneNumber {
    /// Parse user input in international format (a leading `+` and country code; spaces,
    /// dashes and brackets allowed).
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 32 || !trimmed.starts_with('+') {
            return Err(PhoneError::Unparseable);
        }
        // Dashes and dots only separate digit groups; without them the parser never takes its
        // RFC 3966 path, which refuses "+5191234-5678" and the like. (Spaces stay: they keep a
        // written trunk prefix such as "+57 (0)321…" apart from the number.)
        let compact: String = trimmed.chars().filter(|c| *c != '-' && *c != '.').collect();
        let parsed = phonenumber::parse(None, &compact).map_err(|_| PhoneError::Unparseable)?;
        let e164 = parsed.format().mode(Mode::E164).to_string();
        // E.164: '+' then 8 to 15 digits.
        let digits = e164.len().saturating_sub(1);
        if !(8..=15).contains(&digits) || !e164[1..].bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::Unparseable);
        }
        let db = &phonenumber::metadata::DATABASE;
        let kind = parsed.number_type(db);
        // The region of the number, or for numbers outside any assigned range the main region
        // of its calling code (+1 555 … -> US), so the allowlist still decides.
        let region = parsed
            .country()
            .id()
            .map(|id| id.as_ref().to_string())
            .or_else(|| {
                db.region(&parsed.code().value())
                    .and_then(|r| r.first().map(|s| s.to_string()))
            });
        Ok(Self { e164, kind, region })
    }

    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// False for premium-rate, toll-free, shared-cost, UAN, voicemail and similar numbers,
    /// which must never be sent an SMS.
    pub fn may_receive_sms(&self) -> bool {
        !NO_SMS_TYPES.contains(&self.kind)
    }

    /// ISO 3166 region (`US`, `GB`...) when the calling code has one.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// `+1•••••••67`: country code and last two digits only.
    pub fn masked(&self) -> String {
        let digits = &self.e164[1..];
        let cc_len = phonenumber::parse(None, &self.e164)
            .map(|p| p.code().value().to_string().len())
            .unwrap_or(1);
        let tail = &digits[digits.len() - 2..];
        let hidden = digits.len() - cc_len - 2;
        format!("+{}{}{}", &digits[..cc_len], "•".repeat(hidden), tail)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneNumber(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_e164() {
        assert_eq!(
            PhoneNumber::parse(" +1 (202) 555-0123 ").unwrap().as_str(),
            "+12025550123"
        );
        assert_eq!(
            PhoneNumber::parse("+15555550123").unwrap().as_str(),
            "+15555550123"
        );
        assert_eq!(
            PhoneNumber::parse("+33 6 12 34 56 78").unwrap().as_str(),
            "+33612345678"
        );
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            "",
            "hello",
            "5555550123",
            "+",
            "+1",
            "+12",
            "++1555",
            "+1555555012345678901",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad),
                Err(PhoneError::Unparseable),
                "{bad}"
            );
        }
    }

    #[test]
    fn premium_and_toll_free_get_no_sms() {
        assert!(!PhoneNumber::parse("+19005551234")
            .unwrap()
            .may_receive_sms());
        assert!(!PhoneNumber::parse("+18005551234")
            .unwrap()
            .may_receive_sms());
        assert!(PhoneNumber::parse("+12025550123")
            .unwrap()
            .may_receive_sms());
        assert!(PhoneNumber::parse("+447911123456")
            .unwrap()
            .may_receive_sms());
    }

    #[test]
    fn regions() {
        assert_eq!(
            PhoneNumber::parse("+12025550123").unwrap().region(),
            Some("US")
        );
        assert_eq!(
            PhoneNumber::parse("+16135550123").unwrap().region(),
            Some("CA")
        );
        assert_eq!(
            PhoneNumber::parse("+15555550123").unwrap().region(),
            Some("US")
        );
        assert_eq!(
            PhoneNumber::parse("+33612345678").unwrap().region(),
            Some("FR")
        );
        assert_eq!(
            PhoneNumber::parse("+79123456789").unwrap().region(),
            Some("RU")
        );
    }

    #[test]
    fn masks_and_redacts() {
        let p = PhoneNumber::parse("+12025550167").unwrap();
        assert_eq!(p.masked(), "+1••••••••67");
        assert!(!format!("{p:?}").contains("555"));
    }
}
