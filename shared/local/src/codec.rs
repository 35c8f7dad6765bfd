//! How items and keys are laid out in redb.
//!
//! * Table `items`: key `pk \0 sk` (bytes), value the item as JSON (`{"name": {"S": "..."}}`,
//!   binary as base64). Byte order of `pk \0 sk` is (pk, sk) order because key attributes may
//!   not contain `\0`, so one pk's items are one contiguous, sk-sorted range.
//! * Table `gsi1`: key `gsi1pk \0 gsi1sk \0 pk \0 sk`, value the `items` key. Only items having
//!   both `gsi1pk` and `gsi1sk` (strings) are in it (a sparse index, like DynamoDB's).
//!
//! Validation messages name attributes, never values.

use std::collections::BTreeMap;

use data_encoding::BASE64;
use serde::{Deserialize, Serialize};
use statx_core::ports::store::{
    item_size, Item, Key, StoreError, Value, GSI1PK, GSI1SK, MAX_ITEM_BYTES, PK, SK,
};

const SEP: u8 = 0;

#[derive(Serialize)]
enum EncValue<'a> {
    S(&'a str),
    N(i64),
    B(String),
    Bool(bool),
}

#[derive(Deserialize)]
enum DecValue {
    S(String),
    N(i64),
    B(String),
    Bool(bool),
}

pub(crate) fn encode_item(item: &Item) -> Result<Vec<u8>, StoreError> {
    let map: BTreeMap<&str, EncValue<'_>> = item
        .iter()
        .map(|(k, v)| {
            let e = match v {
                Value::S(s) => EncValue::S(s),
                Value::N(n) => EncValue::N(*n),
                Value::B(b) => EncValue::B(BASE64.encode(b)),
                Value::Bool(b) => EncValue::Bool(*b),
            };
            (k.as_str(), e)
        })
        .collect();
    serde_json::to_vec(&map).map_err(|_| StoreError::Unavailable("cannot encode item".into()))
}

pub(crate) fn decode_item(bytes: &[u8]) -> Result<Item, StoreError> {
    let corrupt = || StoreError::Unavailable("corrupt item in local store".into());
    let map: BTreeMap<String, DecValue> = serde_json::from_slice(bytes).map_err(|_| corrupt())?;
    map.into_iter()
        .map(|(k, v)| {
            let v = match v {
                DecValue::S(s) => Value::S(s),
                DecValue::N(n) => Value::N(n),
                DecValue::B(b) => Value::B(BASE64.decode(b.as_bytes()).map_err(|_| corrupt())?),
                DecValue::Bool(b) => Value::Bool(b),
            };
            Ok((k, v))
        })
        .collect()
}

/// Check one key attribute value: non-empty, no `\0` (DynamoDB also refuses empty key values).
fn check_key_part(name: &str, v: &str) -> Result<(), StoreError> {
    if v.is_empty() {
        return Err(StoreError::Invalid(format!("{name} must not be empty")));
    }
    if v.as_bytes().contains(&SEP) {
        return Err(StoreError::Invalid(format!("{name} must not contain NUL")));
    }
    Ok(())
}

pub(crate) fn check_key(key: &Key) -> Result<(), StoreError> {
    check_key_part(PK, &key.pk)?;
    check_key_part(SK, &key.sk)
}

/// `pk \0 sk`.
pub(crate) fn table_key(key: &Key) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.pk.len() + key.sk.len() + 1);
    out.extend_from_slice(key.pk.as_bytes());
    out.push(SEP);
    out.extend_from_slice(key.sk.as_bytes());
    out
}

/// `gsi1pk \0 gsi1sk \0 pk \0 sk`, when the item is in the index.
pub(crate) fn gsi_key(item: &Item, key: &Key) -> Option<Vec<u8>> {
    let (Some(Value::S(gpk)), Some(Value::S(gsk))) = (item.get(GSI1PK), item.get(GSI1SK)) else {
        return None;
    };
    let mut out = partition_prefix(gpk);
    out.extend_from_slice(gsk.as_bytes());
    out.push(SEP);
    out.extend_from_slice(&table_key(key));
    Some(out)
}

/// All keys of one partition (table or index) start with `pk \0`.
pub(crate) fn partition_prefix(pk: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(pk.len() + 1);
    out.extend_from_slice(pk.as_bytes());
    out.push(SEP);
    out
}

/// A complete item about to be written: key attributes present, typed and valid, index
/// attributes strings when present, and within the size limit. Returns its key.
pub(crate) fn check_item(item: &Item) -> Result<Key, StoreError> {
    let part = |name: &str| match item.get(name) {
        Some(Value::S(s)) => {
            check_key_part(name, s)?;
            Ok(s.clone())
        }
        Some(_) => Err(StoreError::Invalid(format!("{name} must be a string"))),
        None => Err(StoreError::Invalid(format!("item has no {name}"))),
    };
    let key = Key::new(part(PK)?, part(SK)?);
    for name in [GSI1PK, GSI1SK] {
        match item.get(name) {
            None => {}
            Some(Value::S(s)) => check_key_part(name, s)?,
            Some(_) => return Err(StoreError::Invalid(format!("{name} must be a string"))),
        }
    }
    if item_size(item) > MAX_ITEM_BYTES {
        return Err(StoreError::TooLarge);
    }
    Ok(key)
}

/// Key attributes cannot be set or removed by an update (DynamoDB refuses it too).
pub(crate) fn check_update_attrs<'a>(
    names: impl IntoIterator<Item = &'a String>,
) -> Result<(), StoreError> {
    for name in names {
        if name == PK || name == SK {
            return Err(StoreError::Invalid(format!(
                "{name} is part of the key and cannot be updated"
            )));
        }
        if name.is_empty() {
            return Err(StoreError::Invalid("empty attribute name".into()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_and_keys_sort_by_pk_then_sk() {
        let mut item = Item::new();
        item.insert("pk".into(), Value::S("P".into()));
        item.insert("sk".into(), Value::S("S".into()));
        item.insert("b".into(), Value::B(vec![0, 255, 7]));
        item.insert("n".into(), Value::N(-42));
        item.insert("t".into(), Value::Bool(true));
        item.insert("e".into(), Value::S(String::new()));
        assert_eq!(decode_item(&encode_item(&item).unwrap()).unwrap(), item);
        assert!(decode_item(b"{\"x\": 1}").is_err());

        let k = |p: &str, s: &str| table_key(&Key::new(p, s));
        assert!(k("a", "z") < k("a!", "a"));
        assert!(k("a", "b") < k("a", "b!"));
        assert!(k("a", "b") < k("a", "c"));
    }

    #[test]
    fn validation() {
        assert!(check_key(&Key::new("", "x")).is_err());
        assert!(check_key(&Key::new("a\0b", "x")).is_err());
        let mut item = Item::new();
        assert!(matches!(check_item(&item), Err(StoreError::Invalid(_))));
        item.insert("pk".into(), Value::S("P".into()));
        item.insert("sk".into(), Value::N(1));
        assert!(matches!(check_item(&item), Err(StoreError::Invalid(_))));
        item.insert("sk".into(), Value::S("S".into()));
        assert_eq!(check_item(&item).unwrap(), Key::new("P", "S"));
        item.insert("gsi1pk".into(), Value::Bool(true));
        assert!(matches!(check_item(&item), Err(StoreError::Invalid(_))));
        item.insert("gsi1pk".into(), Value::S("G".into()));
        assert!(gsi_key(&item, &Key::new("P", "S")).is_none());
        item.insert("gsi1sk".into(), Value::S("g".into()));
        assert_eq!(
            gsi_key(&item, &Key::new("P", "S")).unwrap(),
            b"G\0g\0P\0S".to_vec()
        );
        item.insert("big".into(), Value::B(vec![0; MAX_ITEM_BYTES]));
        assert_eq!(check_item(&item), Err(StoreError::TooLarge));
        assert!(check_update_attrs(&["pk".to_string()]).is_err());
        assert!(check_update_attrs(&["x".to_string()]).is_ok());
    }
}
