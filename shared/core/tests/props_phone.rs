//! Property tests for `PhoneNumber::parse`, the parser behind sign-in, phone change and
//! invitations: the same number in any spelling a person types gives the same E.164 number (and
//! the same region and SMS eligibility), the parsed value round-trips, and garbage never panics
//! and never parses to some other number.
//!
//! The numbers are the example mobile and fixed-line numbers of every region in the metadata the
//! parser itself uses, so every calling code and numbering plan is covered.

use phonenumber::metadata::DATABASE;
use proptest::prelude::*;
use proptest::test_runner::Config;
use statx_core::domain::PhoneNumber;

/// Every region's example mobile and fixed-line number: (calling code, national number, region).
fn examples() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for meta in DATABASE.iter() {
        let d = meta.descriptors();
        for desc in [d.mobile(), d.fixed_line()].into_iter().flatten() {
            if let Some(ex) = desc.example() {
                out.push((
                    meta.country_code().to_string(),
                    ex.to_string(),
                    meta.id().to_string(),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The examples the service accepts: E.164 allows 8 to 15 digits.
fn accepted() -> Vec<(String, String, String)> {
    examples()
        .into_iter()
        .filter(|(cc, nsn, _)| (8..=15).contains(&(cc.len() + nsn.len())))
        .collect()
}

/// The parser is slow in debug builds (about 10 ms a number): 64 cases per property.
fn config() -> Config {
    Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The national number cut into groups of 1 to 4 digits.
fn groups(nsn: &str, cuts: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = nsn;
    let mut i = 0;
    while !rest.is_empty() {
        let n = cuts
            .get(i)
            .copied()
            .unwrap_or(3)
            .clamp(1, 4)
            .min(rest.len());
        out.push(rest[..n].to_string());
        rest = &rest[n..];
        i += 1;
    }
    out
}

/// How a person may write `+<cc><nsn>`: a space, dash or dot after the calling code, separators
/// (none, space, dash, dot) between the other groups,
/// the first group in brackets, whitespace around.
#[derive(Debug, Clone)]
struct Spelling {
    cuts: Vec<usize>,
    seps: Vec<&'static str>,
    after_cc: &'static str,
    brackets: bool,
    before: &'static str,
    after: &'static str,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    spelling_after_cc(vec![" ", "-", "."])
}

fn spelling_after_cc(after_cc: Vec<&'static str>) -> impl Strategy<Value = Spelling> {
    let sep = prop::sample::select(vec!["", " ", "-", "."]);
    let pad = prop::sample::select(vec!["", " ", "  ", "\t", "\n", " \t "]);
    (
        prop::collection::vec(1usize..=4, 15),
        prop::collection::vec(sep.clone(), 15),
        prop::sample::select(after_cc),
        any::<bool>(),
        pad.clone(),
        pad,
    )
        .prop_map(|(cuts, seps, after_cc, brackets, before, after)| Spelling {
            cuts,
            seps,
            after_cc,
            brackets,
            before,
            after,
        })
}

/// `nsn` written with `s`, without the calling code.
fn national_part(nsn: &str, s: &Spelling) -> String {
    let mut out = String::new();
    for (i, g) in groups(nsn, &s.cuts).iter().enumerate() {
        if i > 0 {
            out.push_str(s.seps[i - 1]);
        }
        if i == 0 && s.brackets {
            out.push_str(&format!("({g})"));
        } else {
            out.push_str(g);
        }
    }
    out
}

fn spell(cc: &str, nsn: &str, s: &Spelling) -> String {
    format!(
        "{}+{cc}{}{}{}",
        s.before,
        s.after_cc,
        national_part(nsn, s),
        s.after
    )
}

#[test]
fn every_regions_example_numbers_parse_to_themselves() {
    let all = accepted();
    assert!(all.len() > 300, "only {} example numbers", all.len());
    for (cc, nsn, region) in all {
        let e164 = format!("+{cc}{nsn}");
        let p = PhoneNumber::parse(&e164).unwrap_or_else(|_| panic!("{region}: {e164} refused"));
        assert_eq!(p.as_str(), e164, "{region}");
    }
}

proptest! {
    #![proptest_config(config())]

    /// The same number in any spelling parses to the same E.164 number, region and SMS
    /// eligibility as the plain form.
    #[test]
    fn any_spelling_parses_to_the_same_number(
        (cc, nsn, region) in prop::sample::select(accepted()),
        s in spelling(),
    ) {
        let e164 = format!("+{cc}{nsn}");
        let plain = PhoneNumber::parse(&e164).expect("plain form parses");
        let input = spell(&cc, &nsn, &s);
        let spelled = PhoneNumber::parse(&input);
        prop_assert!(spelled.is_ok(), "{region}: {input:?} refused, {e164} accepted");
        let spelled = spelled.unwrap();
        prop_assert_eq!(spelled.as_str(), e164.as_str(), "{}: {:?}", region, input);
        prop_assert_eq!(spelled.region(), plain.region());
        prop_assert_eq!(spelled.may_receive_sms(), plain.may_receive_sms());
        prop_assert!(spelled == plain, "{}: {:?}", region, input);
    }

    /// The same with the calling code glued to the rest (`+5191234-5678`).
    #[test]
    fn glued_calling_code_spellings_parse_to_the_same_number(
        (cc, nsn, region) in prop::sample::select(accepted()),
        s in spelling_after_cc(vec![""]),
    ) {
        let e164 = format!("+{cc}{nsn}");
        let input = spell(&cc, &nsn, &s);
        let spelled = PhoneNumber::parse(&input).map(|p| p.as_str().to_string());
        prop_assert_eq!(spelled, Ok(e164), "{}: {:?}", region, input);
    }

    /// Spellings the service does not promise to understand (`00` for `+`, the national form
    /// without a calling code, `(+44)`, a `(0)` trunk prefix in an international number) are
    /// either refused or read as the same number: never as another one.
    #[test]
    fn other_spellings_are_refused_or_the_same_number(
        (cc, nsn, region) in prop::sample::select(accepted()),
        s in spelling(),
        form in 0usize..4,
    ) {
        let e164 = format!("+{cc}{nsn}");
        let national = national_part(&nsn, &s);
        let trunk = DATABASE
            .by_id(region.as_str())
            .and_then(|m| m.national_prefix().map(str::to_string))
            .unwrap_or_default();
        let input = match form {
            0 => format!("00{cc}{}{national}", s.after_cc),
            1 => format!("{trunk}{national}"),
            2 => format!("(+{cc}) {national}"),
            _ if trunk == "0" => format!("+{cc} (0){national}"),
            _ => format!("+{cc} {national}"),
        };
        if let Ok(p) = PhoneNumber::parse(&input) {
            prop_assert_eq!(p.as_str(), e164.as_str(), "{}: {:?}", region, input);
        }
    }

    /// A parsed number round-trips: its E.164 text parses to an equal value, and is `+`
    /// followed by 8 to 15 digits. Its mask shows the calling code and the last two digits only.
    #[test]
    fn parsed_numbers_round_trip(
        (cc, nsn, _region) in prop::sample::select(accepted()),
        s in spelling(),
    ) {
        let p = PhoneNumber::parse(&spell(&cc, &nsn, &s)).expect("parses");
        let again = PhoneNumber::parse(p.as_str()).expect("E.164 text parses");
        prop_assert!(again == p);
        prop_assert_eq!(again.as_str(), p.as_str());
        let digits = &p.as_str()[1..];
        prop_assert!(p.as_str().starts_with('+'));
        prop_assert!((8..=15).contains(&digits.len()));
        prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        let masked = p.masked();
        let head = format!("+{cc}");
        prop_assert!(masked.starts_with(&head));
        prop_assert!(masked.ends_with(&digits[digits.len() - 2..]));
        prop_assert_eq!(masked.chars().filter(char::is_ascii_digit).count(), cc.len() + 2);
        let debug = format!("{p:?}");
        prop_assert!(!debug.contains(&nsn));
    }

    /// Arbitrary text never panics; what parses is a well-formed number that parses to itself.
    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        if let Ok(p) = PhoneNumber::parse(&input) {
            let again = PhoneNumber::parse(p.as_str()).expect("E.164 text parses");
            prop_assert!(again == p, "{:?}", input);
            let _ = p.masked();
        }
    }

    /// Text made of the characters of phone numbers (digits, `+`, brackets, separators) never
    /// panics, and when it parses, the number's digits are the digits that were typed, with at
    /// most a national trunk prefix dropped after the calling code.
    #[test]
    fn phone_like_text_never_parses_to_other_digits(input in "[ +0-9()./-]{0,40}") {
        if let Ok(p) = PhoneNumber::parse(&input) {
            let typed: String = input.chars().filter(char::is_ascii_digit).collect();
            let got = &p.as_str()[1..];
            let same = typed == got
                || (1..=3).any(|cc| {
                    typed.len() == got.len() + 1
                        && typed.get(..cc) == got.get(..cc)
                        && typed.get(cc + 1..) == got.get(cc..)
                });
            prop_assert!(same, "{:?} parsed to {}", input, p.as_str());
        }
    }
}
