//! Unit tests of `stats::values` (merging a stat update).

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
    assert!(create(input(
        json!({"title": "R", "visualType": "RANGE", "minValue": 10, "maxValue": 20, "value": 21})
    ))
    .is_err());
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
