//! Validated user text: trimmed, bounded, no control characters.

/// Trim `input` and check it has `min..=max` characters and no control characters.
/// `field` names the JSON field in the error message (never the value).
pub fn clean(field: &str, input: &str, min: usize, max: usize) -> Result<String, String> {
    let t = input.trim();
    let n = t.chars().count();
    if n < min {
        return Err(if min == 1 {
            format!("{field} must not be empty")
        } else {
            format!("{field} must have at least {min} characters")
        });
    }
    if n > max {
        return Err(format!("{field} must have at most {max} characters"));
    }
    if t.chars().any(char::is_control) {
        return Err(format!("{field} must not contain control characters"));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(clean("name", "  Ann ", 1, 5).unwrap(), "Ann");
        assert!(clean("name", "   ", 1, 5).is_err());
        assert!(clean("name", "abcdef", 1, 5).is_err());
        assert!(clean("name", "a\u{0}b", 1, 5).is_err());
        assert_eq!(clean("name", "ééééé", 1, 5).unwrap(), "ééééé");
    }
}
