//! What a stat holds and the rules for changing it: the request shape StatX clients send (a
//! partial or a whole stat, timestamps included), merged onto the current stat and validated as
//! a whole for its visual type. Pure: no store, no clock.
//!
//! * `NUMBER`: `value` a decimal string; optional `unit`, `prefix`.
//! * `DIALER`: `value` 0–100.
//! * `RANGE`: `minValue` < `maxValue`, `value` within them.
//! * `PICK_LIST`: `items: [{name, color}]`, `currentIndex`; `value` is the current item's name
//!   (a request may select by `value` = an item name when it gives no `currentIndex`).
//! * `HORIZONTAL_BARS`: `items: [{name, value, color}]`; `value` is the bars' total.
//!
//! The "value" of a stat, whose changes make history and move `lastUpdatedDateTime`, is
//! (`value`, `items`, `currentIndex`). Members may change it, the notes and the due date;
//! everything else (title, type, unit, prefix, bounds, pick-list options, adminOnly) is the
//! admins' (`Merged::structural`).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::domain::stat::{color, Decimal, VisualType};
use crate::domain::text::clean;

mod merge;
pub use merge::merge;

pub const TITLE_MAX: usize = 100;
pub const NOTES_MAX: usize = 10_000;
pub const ITEMS_MAX: usize = 50;
pub const ITEM_NAME_MAX: usize = 100;
pub const AFFIX_MAX: usize = 20;

/// One pick-list option or bar, as stored (sealed with the rest of the content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatItem {
    pub name: String,
    pub color: String,
    /// Bars only: the decimal text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Everything user-typed of a stat; sealed as one field of the stat item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub title: String,
    pub value: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<StatItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_index: Option<usize>,
}

impl Content {
    /// The part whose changes are history.
    pub fn value_state(&self) -> (&str, &[StatItem], Option<usize>) {
        (&self.value, &self.items, self.current_index)
    }
}

/// `null` and absent differ: `Some(None)` clears.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ItemInput {
    pub name: String,
    pub color: Option<String>,
    pub value: Option<Value>,
}

/// A create or PUT body. Unknown fields are refused, except the StatX fields a client echoes
/// back from a GET (ids, timestamps, `lastUpdatedBy`...), which are accepted and ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatInput {
    pub title: Option<String>,
    pub visual_type: Option<String>,
    pub value: Option<Value>,
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub due_date_time: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub prefix: Option<Option<String>>,
    pub min_value: Option<Value>,
    pub max_value: Option<Value>,
    pub items: Option<Vec<ItemInput>>,
    pub current_index: Option<Value>,
    pub admin_only: Option<bool>,
    // Echoed StatX fields: accepted, ignored (the server's own values win).
    #[serde(default, rename = "id")]
    pub _id: Option<Value>,
    #[serde(default, rename = "lastUpdatedDateTime")]
    pub _last_updated: Option<Value>,
    #[serde(default, rename = "notesLastUpdatedDateTime")]
    pub _notes_last_updated: Option<Value>,
    #[serde(default, rename = "lastUpdatedBy")]
    pub _last_updated_by: Option<Value>,
    #[serde(default, rename = "createdDateTime")]
    pub _created: Option<Value>,
    #[serde(default, rename = "version")]
    pub _version: Option<Value>,
    #[serde(default, rename = "groupId")]
    pub _group_id: Option<Value>,
    #[serde(default, rename = "groupName")]
    pub _group_name: Option<Value>,
}

/// The stat after a request, and what kind of change it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub visual: VisualType,
    pub content: Content,
    pub admin_only: bool,
    pub value_changed: bool,
    pub notes_changed: bool,
    /// Something only admins may change did change.
    pub structural: bool,
    /// Anything changed at all.
    pub changed: bool,
}

/// Notes: up to 10 000 characters; line breaks and tabs allowed, other control characters not.
fn notes(input: &str) -> Result<String, String> {
    if input.chars().count() > NOTES_MAX {
        return Err(format!("notes must have at most {NOTES_MAX} characters."));
    }
    if input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("notes must not contain control characters other than line breaks.".into());
    }
    Ok(input.trim_end().to_string())
}

fn affix(field: &str, v: &Option<String>) -> Result<Option<String>, String> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => clean(field, s, 1, AFFIX_MAX).map(Some),
    }
}

fn index(v: &Value, len: usize) -> Result<usize, String> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    n.map(|n| n as usize).filter(|n| *n < len).ok_or_else(|| {
        format!(
            "currentIndex must be a whole number from 0 to {}.",
            len.max(1) - 1
        )
    })
}

fn items(visual: VisualType, input: &[ItemInput]) -> Result<Vec<StatItem>, String> {
    if input.is_empty() || input.len() > ITEMS_MAX {
        return Err(format!("items must have 1 to {ITEMS_MAX} entries."));
    }
    input
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let name = clean(&format!("items[{i}].name"), &it.name, 1, ITEM_NAME_MAX)?;
            let c = it
                .color
                .as_deref()
                .ok_or_else(|| format!("items[{i}].color is required."))?;
            let color = color(&format!("items[{i}].color"), c)?;
            let value = match (visual, &it.value) {
                (VisualType::HorizontalBars, Some(v)) if !v.is_null() => Some(
                    Decimal::from_json(&format!("items[{i}].value"), v)?
                        .as_str()
                        .to_string(),
                ),
                (VisualType::HorizontalBars, _) => {
                    return Err(format!("items[{i}].value is required for HORIZONTAL_BARS."))
                }
                (_, Some(v)) if !v.is_null() => {
                    return Err(format!("items[{i}].value applies to HORIZONTAL_BARS only."))
                }
                _ => None,
            };
            Ok(StatItem { name, color, value })
        })
        .collect()
}

/// The exact sum of decimal texts (at most 10 fraction digits each), printed plainly.
pub fn total(values: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    const SCALE: i128 = 10_000_000_000;
    let mut sum: i128 = 0;
    for v in values {
        let v = v.as_ref();
        let (neg, digits) = match v.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, v),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let int: i128 = int.parse().unwrap_or(0);
        let frac: i128 = format!("{frac:0<10}")[..10].parse().unwrap_or(0);
        let n = int * SCALE + frac;
        sum += if neg { -n } else { n };
    }
    let (sign, abs) = if sum < 0 { ("-", -sum) } else { ("", sum) };
    let frac = format!("{:010}", abs % SCALE);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{}", abs / SCALE)
    } else {
        format!("{sign}{}.{frac}", abs / SCALE)
    }
}

fn dec(field: &str, v: &Value) -> Result<Decimal, String> {
    Decimal::from_json(field, v)
}

/// A new stat from a create body: `title` and `visualType` are required.
pub fn create(input: StatInput) -> Result<Merged, String> {
    let title = input
        .title
        .as_deref()
        .ok_or_else(|| "Missing field `title`.".to_string())?;
    let visual = VisualType::parse(
        input
            .visual_type
            .as_deref()
            .ok_or_else(|| "Missing field `visualType`.".to_string())?,
    )?;
    let base = Content {
        title: clean("title", title, 1, TITLE_MAX)?,
        ..Content::default()
    };
    let mut m = merge(visual, &base, false, input)?;
    m.changed = true;
    m.value_changed = true;
    m.notes_changed = !m.content.notes.is_empty();
    Ok(m)
}

#[cfg(test)]
mod tests;
