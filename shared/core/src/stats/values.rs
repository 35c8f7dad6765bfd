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

use crate::domain::stat::{color, timestamp, Decimal, VisualType};
use crate::domain::text::clean;
use crate::domain::time::rfc3339;

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

/// Apply `input` to the stat (`visual`, `cur`, `admin_only`) and validate the result.
pub fn merge(
    visual: VisualType,
    cur: &Content,
    admin_only: bool,
    input: StatInput,
) -> Result<Merged, String> {
    let new_visual = match input.visual_type.as_deref() {
        Some(v) => VisualType::parse(v)?,
        None => visual,
    };
    let switched = new_visual != visual;
    let mut c = cur.clone();
    if let Some(t) = &input.title {
        c.title = clean("title", t, 1, TITLE_MAX)?;
    }
    if let Some(n) = &input.notes {
        c.notes = notes(n)?;
    }
    match &input.due_date_time {
        None => {}
        Some(None) => c.due = None,
        Some(Some(s)) if s.trim().is_empty() => c.due = None,
        Some(Some(s)) => c.due = Some(rfc3339(timestamp("dueDateTime", s)?)),
    }
    if switched {
        // Fields of the old type do not carry over.
        (c.unit, c.prefix, c.min, c.max) = (None, None, None, None);
        if new_visual.has_items() != visual.has_items() || input.items.is_some() {
            c.items.clear();
        }
        c.current_index = None;
    }
    let only = |field: &str, t: VisualType| format!("{field} applies to {t} stats only.");
    // NUMBER: unit and prefix.
    for (field, given, slot) in [
        ("unit", &input.unit, &mut c.unit),
        ("prefix", &input.prefix, &mut c.prefix),
    ] {
        if let Some(v) = given {
            let v = affix(field, v)?;
            if v.is_some() && new_visual != VisualType::Number {
                return Err(only(field, VisualType::Number));
            }
            *slot = v;
        }
    }
    // RANGE: bounds.
    for (field, given, slot) in [
        ("minValue", &input.min_value, &mut c.min),
        ("maxValue", &input.max_value, &mut c.max),
    ] {
        if let Some(v) = given.as_ref().filter(|v| !v.is_null()) {
            if new_visual != VisualType::Range {
                return Err(only(field, VisualType::Range));
            }
            *slot = Some(dec(field, v)?.as_str().to_string());
        }
    }
    if let Some(list) = &input.items {
        if !new_visual.has_items() {
            return Err("items apply to PICK_LIST and HORIZONTAL_BARS stats only.".into());
        }
        c.items = items(new_visual, list)?;
    }
    let given_index = input.current_index.as_ref().filter(|v| !v.is_null());
    if given_index.is_some() && new_visual != VisualType::PickList {
        return Err(only("currentIndex", VisualType::PickList));
    }
    let given_value = input.value.as_ref().filter(|v| !v.is_null());
    match new_visual {
        VisualType::Number | VisualType::Dialer | VisualType::Range => {
            // Without a new value the current one stays (and must fit); a stat that had no
            // number yet (new, or a list before) starts at 0, or at minValue.
            let current = Decimal::parse("value", &c.value).ok();
            let defaulted = given_value.is_none() && current.is_none();
            let v = match (given_value, current) {
                (Some(v), _) => dec("value", v)?,
                (None, Some(cur)) => cur,
                (None, None) => Decimal::parse("value", c.min.as_deref().unwrap_or("0"))?,
            };
            if new_visual == VisualType::Dialer && !(0.0..=100.0).contains(&v.as_f64()) {
                return Err("value must be from 0 to 100 for a DIALER stat.".into());
            }
            if new_visual == VisualType::Range {
                let (Some(min), Some(max)) = (&c.min, &c.max) else {
                    return Err("RANGE stats need minValue and maxValue.".into());
                };
                let (lo, hi) = (
                    Decimal::parse("minValue", min)?.as_f64(),
                    Decimal::parse("maxValue", max)?.as_f64(),
                );
                if lo >= hi {
                    return Err("minValue must be less than maxValue.".into());
                }
                let x = v.as_f64();
                if defaulted {
                    c.value = min.clone();
                } else if !(lo..=hi).contains(&x) {
                    return Err("value must be between minValue and maxValue.".into());
                } else {
                    c.value = v.as_str().to_string();
                }
            } else {
                c.value = v.as_str().to_string();
            }
        }
        VisualType::PickList => {
            if c.items.is_empty() {
                return Err("PICK_LIST stats need items.".into());
            }
            if c.items.iter().any(|i| i.value.is_some()) {
                return Err("items of a PICK_LIST have no value: give name and color.".into());
            }
            let idx = match (given_index, given_value) {
                (Some(i), _) => index(i, c.items.len())?,
                (None, Some(v)) => {
                    let name = v.as_str().map(str::trim).unwrap_or_default();
                    c.items.iter().position(|i| i.name == name).ok_or(
                        "value must be the name of one of the items (or give currentIndex).",
                    )?
                }
                (None, None) => c.current_index.filter(|i| *i < c.items.len()).unwrap_or(0),
            };
            c.current_index = Some(idx);
            c.value = c.items[idx].name.clone();
        }
        VisualType::HorizontalBars => {
            if c.items.is_empty() {
                return Err("HORIZONTAL_BARS stats need items.".into());
            }
            if c.items.iter().any(|i| i.value.is_none()) {
                return Err("every item of a HORIZONTAL_BARS stat needs a value.".into());
            }
            c.value = total(c.items.iter().filter_map(|i| i.value.as_deref()));
        }
    }
    let new_admin_only = input.admin_only.unwrap_or(admin_only);
    let value_changed = c.value_state() != cur.value_state();
    let notes_changed = c.notes != cur.notes;
    let pick_options = |x: &Content| -> Vec<(String, String)> {
        x.items
            .iter()
            .map(|i| (i.name.clone(), i.color.clone()))
            .collect()
    };
    let structural = switched
        || new_admin_only != admin_only
        || c.title != cur.title
        || c.unit != cur.unit
        || c.prefix != cur.prefix
        || c.min != cur.min
        || c.max != cur.max
        || (new_visual == VisualType::PickList && pick_options(&c) != pick_options(cur));
    let changed = structural || c != *cur;
    Ok(Merged {
        visual: new_visual,
        content: c,
        admin_only: new_admin_only,
        value_changed,
        notes_changed,
        structural,
        changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: Value) -> StatInput {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn totals_are_exact() {
        assert_eq!(total(["0.1", "0.2"]), "0.3");
        assert_eq!(total(["10", "-2.5"]), "7.5");
        assert_eq!(total(["-1", "-0.25"]), "-1.25");
        assert_eq!(total(Vec::<String>::new()), "0");
    }

    #[test]
    fn create_each_type() {
        let n = create(input(
            json!({"title": "Sales", "visualType": "NUMBER", "value": 42, "unit": "kg"}),
        ))
        .unwrap();
        assert_eq!(
            (n.content.value.as_str(), n.content.unit.as_deref()),
            ("42", Some("kg"))
        );
        let d = create(input(json!({"title": "D", "visualType": "DIALER"}))).unwrap();
        assert_eq!(d.content.value, "0");
        assert!(create(input(
            json!({"title": "D", "visualType": "DIALER", "value": "101"})
        ))
        .is_err());
        let r = create(input(
            json!({"title": "R", "visualType": "RANGE", "minValue": 10, "maxValue": 20}),
        ))
        .unwrap();
        assert_eq!(r.content.value, "10");
        assert!(create(input(json!({"title": "R", "visualType": "RANGE", "minValue": 10, "maxValue": 20, "value": 21}))).is_err());
        assert!(create(input(
            json!({"title": "R", "visualType": "RANGE", "minValue": 20, "maxValue": 10})
        ))
        .is_err());
        let p = create(input(json!({"title": "P", "visualType": "PICK_LIST",
            "items": [{"name": "Go", "color": "green"}, {"name": "Stop", "color": "#ff0000"}], "value": "Stop"}))).unwrap();
        assert_eq!(
            (p.content.value.as_str(), p.content.current_index),
            ("Stop", Some(1))
        );
        assert_eq!(p.content.items[1].color, "#FF0000");
        let b = create(input(json!({"title": "B", "visualType": "HORIZONTAL_BARS",
            "items": [{"name": "A", "color": "RED", "value": 1.5}, {"name": "B", "color": "BLUE", "value": "2"}]}))).unwrap();
        assert_eq!(b.content.value, "3.5");
    }

    #[test]
    fn merge_rules() {
        let p = create(input(json!({"title": "P", "visualType": "PICK_LIST",
            "items": [{"name": "Go", "color": "GREEN"}, {"name": "Stop", "color": "RED"}]})))
        .unwrap();
        let m = merge(
            p.visual,
            &p.content,
            false,
            input(json!({"currentIndex": 1, "value": "Go"})),
        )
        .unwrap();
        assert_eq!(
            m.content.value, "Stop",
            "currentIndex wins over an echoed value"
        );
        assert!(m.value_changed && !m.structural);
        assert!(merge(
            p.visual,
            &p.content,
            false,
            input(json!({"currentIndex": 2}))
        )
        .is_err());
        let same = merge(
            p.visual,
            &p.content,
            false,
            input(json!({"value": "Go", "lastUpdatedDateTime": "x"})),
        )
        .unwrap();
        assert!(!same.changed);
        let n = create(input(
            json!({"title": "N", "visualType": "NUMBER", "value": "1"}),
        ))
        .unwrap();
        let t = merge(n.visual, &n.content, false, input(json!({"title": "New"}))).unwrap();
        assert!(t.structural && !t.value_changed);
        assert!(merge(n.visual, &n.content, false, input(json!({"minValue": 1}))).is_err());
        let sw = merge(
            n.visual,
            &n.content,
            false,
            input(json!({"visualType": "DIALER"})),
        )
        .unwrap();
        assert_eq!(
            (sw.visual, sw.content.value.as_str()),
            (VisualType::Dialer, "1")
        );
        let notes = merge(
            n.visual,
            &n.content,
            false,
            input(json!({"notes": "line 1\nline 2"})),
        )
        .unwrap();
        assert!(notes.notes_changed && !notes.value_changed && !notes.structural);
        assert!(merge(
            n.visual,
            &n.content,
            false,
            input(json!({"notes": "a\u{7}"}))
        )
        .is_err());
        let due = merge(
            n.visual,
            &n.content,
            false,
            input(json!({"dueDateTime": "2026-01-01T10:00:00.5-05:00"})),
        )
        .unwrap();
        assert_eq!(due.content.due.as_deref(), Some("2026-01-01T15:00:00Z"));
        assert!(serde_json::from_value::<StatInput>(json!({"bogus": 1})).is_err());
    }
}
