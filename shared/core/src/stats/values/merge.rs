//! Merging an update into a stat: `PUT` gives only the fields it changes; the result must still
//! obey the rules of the (possibly new) visual type.

use serde_json::Value;

use super::{affix, dec, index, items, notes, total, Content, Merged, StatInput, TITLE_MAX};
use crate::domain::stat::{timestamp, Decimal, VisualType};
use crate::domain::text::clean;
use crate::domain::time::rfc3339;

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
    let mut c = cur.clone();
    merge_text(&mut c, &input)?;
    if new_visual != visual {
        // Fields of the old type do not carry over.
        (c.unit, c.prefix, c.min, c.max) = (None, None, None, None);
        if new_visual.has_items() != visual.has_items() || input.items.is_some() {
            c.items.clear();
        }
        c.current_index = None;
    }
    merge_type_fields(&mut c, new_visual, &input)?;
    let given_index = input.current_index.as_ref().filter(|v| !v.is_null());
    let given_value = input.value.as_ref().filter(|v| !v.is_null());
    match new_visual {
        VisualType::Number | VisualType::Dialer | VisualType::Range => {
            set_number(&mut c, new_visual, given_value)?
        }
        VisualType::PickList => set_pick(&mut c, given_index, given_value)?,
        VisualType::HorizontalBars => set_bars(&mut c)?,
    }
    let new_admin_only = input.admin_only.unwrap_or(admin_only);
    Ok(classify(
        visual,
        cur,
        admin_only,
        new_visual,
        c,
        new_admin_only,
    ))
}

/// Title, notes and due date: the fields every type has.
fn merge_text(c: &mut Content, input: &StatInput) -> Result<(), String> {
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
    Ok(())
}

fn only(field: &str, t: VisualType) -> String {
    format!("{field} applies to {t} stats only.")
}

/// The fields of one type (unit and prefix, bounds, items, index), refused on other types.
fn merge_type_fields(c: &mut Content, visual: VisualType, input: &StatInput) -> Result<(), String> {
    // NUMBER: unit and prefix.
    for (field, given, slot) in [
        ("unit", &input.unit, &mut c.unit),
        ("prefix", &input.prefix, &mut c.prefix),
    ] {
        if let Some(v) = given {
            let v = affix(field, v)?;
            if v.is_some() && visual != VisualType::Number {
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
            if visual != VisualType::Range {
                return Err(only(field, VisualType::Range));
            }
            *slot = Some(dec(field, v)?.as_str().to_string());
        }
    }
    if let Some(list) = &input.items {
        if !visual.has_items() {
            return Err("items apply to PICK_LIST and HORIZONTAL_BARS stats only.".into());
        }
        c.items = items(visual, list)?;
    }
    if input.current_index.as_ref().is_some_and(|v| !v.is_null()) && visual != VisualType::PickList
    {
        return Err(only("currentIndex", VisualType::PickList));
    }
    Ok(())
}

/// NUMBER, DIALER and RANGE: without a new value the current one stays (and must fit); a stat
/// that had no number yet (new, or a list before) starts at 0, or at minValue.
fn set_number(c: &mut Content, visual: VisualType, given: Option<&Value>) -> Result<(), String> {
    let current = Decimal::parse("value", &c.value).ok();
    let defaulted = given.is_none() && current.is_none();
    let v = match (given, current) {
        (Some(v), _) => dec("value", v)?,
        (None, Some(cur)) => cur,
        (None, None) => Decimal::parse("value", c.min.as_deref().unwrap_or("0"))?,
    };
    if visual == VisualType::Dialer && !(0.0..=100.0).contains(&v.as_f64()) {
        return Err("value must be from 0 to 100 for a DIALER stat.".into());
    }
    if visual != VisualType::Range {
        c.value = v.as_str().to_string();
        return Ok(());
    }
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
    if defaulted {
        c.value = min.clone();
    } else if !(lo..=hi).contains(&v.as_f64()) {
        return Err("value must be between minValue and maxValue.".into());
    } else {
        c.value = v.as_str().to_string();
    }
    Ok(())
}

/// PICK_LIST: the value is the chosen item's name, chosen by index or by name.
fn set_pick(
    c: &mut Content,
    given_index: Option<&Value>,
    given_value: Option<&Value>,
) -> Result<(), String> {
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
            c.items
                .iter()
                .position(|i| i.name == name)
                .ok_or("value must be the name of one of the items (or give currentIndex).")?
        }
        (None, None) => c.current_index.filter(|i| *i < c.items.len()).unwrap_or(0),
    };
    c.current_index = Some(idx);
    c.value = c.items[idx].name.clone();
    Ok(())
}

/// HORIZONTAL_BARS: the value is the total of the bars.
fn set_bars(c: &mut Content) -> Result<(), String> {
    if c.items.is_empty() {
        return Err("HORIZONTAL_BARS stats need items.".into());
    }
    if c.items.iter().any(|i| i.value.is_none()) {
        return Err("every item of a HORIZONTAL_BARS stat needs a value.".into());
    }
    c.value = total(c.items.iter().filter_map(|i| i.value.as_deref()));
    Ok(())
}

/// What changed between `cur` and the merged content `c`.
fn classify(
    visual: VisualType,
    cur: &Content,
    admin_only: bool,
    new_visual: VisualType,
    c: Content,
    new_admin_only: bool,
) -> Merged {
    let pick_options = |x: &Content| -> Vec<(String, String)> {
        x.items
            .iter()
            .map(|i| (i.name.clone(), i.color.clone()))
            .collect()
    };
    let structural = new_visual != visual
        || new_admin_only != admin_only
        || c.title != cur.title
        || c.unit != cur.unit
        || c.prefix != cur.prefix
        || c.min != cur.min
        || c.max != cur.max
        || (new_visual == VisualType::PickList && pick_options(&c) != pick_options(cur));
    Merged {
        visual: new_visual,
        value_changed: c.value_state() != cur.value_state(),
        notes_changed: c.notes != cur.notes,
        structural,
        changed: structural || c != *cur,
        content: c,
        admin_only: new_admin_only,
    }
}
