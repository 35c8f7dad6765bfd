//! Translation between the `ItemStore` vocabulary and DynamoDB's: attribute values, condition
//! and update expressions, opaque cursors, and error codes.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use data_encoding::BASE64URL_NOPAD;
use statx_core::ports::store::{
    item_size, key_of, Cond, Item, Key, StoreError, Value, MAX_ITEM_BYTES,
};
use statx_core::ports::store::{GSI1PK, GSI1SK, PK, SK};

pub(crate) type AttrMap = HashMap<String, AttributeValue>;

pub(crate) fn to_attr(v: &Value) -> AttributeValue {
    match v {
        Value::S(s) => AttributeValue::S(s.clone()),
        Value::N(n) => AttributeValue::N(n.to_string()),
        Value::B(b) => AttributeValue::B(Blob::new(b.clone())),
        Value::Bool(b) => AttributeValue::Bool(*b),
    }
}

pub(crate) fn from_attr(a: AttributeValue) -> Result<Value, StoreError> {
    Ok(match a {
        AttributeValue::S(s) => Value::S(s),
        AttributeValue::N(n) => Value::N(
            n.parse()
                .map_err(|_| StoreError::Invalid("stored number is not an integer".into()))?,
        ),
        AttributeValue::B(b) => Value::B(b.into_inner()),
        AttributeValue::Bool(b) => Value::Bool(b),
        _ => {
            return Err(StoreError::Invalid(
                "unsupported stored attribute type".into(),
            ))
        }
    })
}

pub(crate) fn to_item(item: &Item) -> AttrMap {
    item.iter().map(|(k, v)| (k.clone(), to_attr(v))).collect()
}

pub(crate) fn from_item(map: AttrMap) -> Result<Item, StoreError> {
    map.into_iter()
        .map(|(k, v)| Ok((k, from_attr(v)?)))
        .collect()
}

pub(crate) fn key_map(key: &Key) -> AttrMap {
    HashMap::from([
        (PK.to_string(), AttributeValue::S(key.pk.clone())),
        (SK.to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

pub(crate) fn check_key(key: &Key) -> Result<(), StoreError> {
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(StoreError::Invalid("empty key attribute".into()));
    }
    Ok(())
}

/// A whole item about to be written: string key, valid index attributes, within the size limit.
pub(crate) fn check_item(item: &Item) -> Result<Key, StoreError> {
    let key = key_of(item).ok_or_else(|| StoreError::Invalid("item without string key".into()))?;
    check_key(&key)?;
    check_attrs(item)?;
    check_size(item)?;
    Ok(key)
}

pub(crate) fn check_size(item: &Item) -> Result<(), StoreError> {
    if item_size(item) > MAX_ITEM_BYTES {
        return Err(StoreError::TooLarge);
    }
    Ok(())
}

/// Placeholders (`#n0`, `:v0`) collected while building one request's expressions. Every
/// attribute name goes through a placeholder, so reserved words (`ttl`...) never matter.
#[derive(Default)]
pub(crate) struct Expr {
    names: HashMap<String, String>,
    by_name: HashMap<String, String>,
    values: AttrMap,
}

impl Expr {
    pub(crate) fn name(&mut self, attr: &str) -> String {
        if let Some(p) = self.by_name.get(attr) {
            return p.clone();
        }
        let p = format!("#n{}", self.names.len());
        self.names.insert(p.clone(), attr.to_string());
        self.by_name.insert(attr.to_string(), p.clone());
        p
    }

    pub(crate) fn value(&mut self, v: AttributeValue) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), v);
        p
    }

    pub(crate) fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    pub(crate) fn values(&self) -> Option<AttrMap> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    /// The condition expression for `cond`, if any.
    pub(crate) fn condition(&mut self, cond: Cond) -> Option<String> {
        match cond {
            Cond::None => None,
            Cond::NotExists => Some(format!("attribute_not_exists({})", self.name(PK))),
            Cond::Exists => Some(format!("attribute_exists({})", self.name(PK))),
            Cond::VersionIs(v) => {
                let n = self.name(statx_core::ports::store::VERSION);
                let v = self.value(AttributeValue::N(v.to_string()));
                Some(format!("{n} = {v}"))
            }
        }
    }

    /// `SET ... REMOVE ...` for an update. Key attributes may be neither set nor removed. An
    /// update without changes still creates a missing item: it becomes `REMOVE` of an attribute
    /// that never exists (DynamoDB requires an expression in transactions).
    pub(crate) fn update(&mut self, set: &Item, remove: &[String]) -> Result<String, StoreError> {
        check_attrs(set)?;
        let mut sets = Vec::new();
        for (attr, value) in set {
            if attr == PK || attr == SK {
                return Err(StoreError::Invalid("cannot update key attributes".into()));
            }
            if remove.contains(attr) {
                return Err(StoreError::Invalid("attribute both set and removed".into()));
            }
            let n = self.name(attr);
            let v = self.value(to_attr(value));
            sets.push(format!("{n} = {v}"));
        }
        let mut removes = Vec::new();
        for attr in remove {
            if attr == PK || attr == SK {
                return Err(StoreError::Invalid("cannot update key attributes".into()));
            }
            let n = self.name(attr);
            if !removes.contains(&n) {
                removes.push(n);
            }
        }
        if sets.is_empty() && removes.is_empty() {
            removes.push(self.name(NOOP_ATTR));
        }
        let mut expr = Vec::new();
        if !sets.is_empty() {
            expr.push(format!("SET {}", sets.join(", ")));
        }
        if !removes.is_empty() {
            expr.push(format!("REMOVE {}", removes.join(", ")));
        }
        Ok(expr.join(" "))
    }
}

/// An attribute name no item ever has (see `Expr::update`).
const NOOP_ATTR: &str = "__statx_noop__";

/// Index key attributes, when present, must be non-empty strings (DynamoDB refuses others).
pub(crate) fn check_attrs(item: &Item) -> Result<(), StoreError> {
    for name in [GSI1PK, GSI1SK] {
        match item.get(name) {
            None => {}
            Some(Value::S(s)) if !s.is_empty() => {}
            Some(_) => {
                return Err(StoreError::Invalid(format!(
                    "{name} must be a non-empty string"
                )))
            }
        }
    }
    Ok(())
}

/// The item an update would at least produce (key + set attributes), for the size check.
pub(crate) fn update_floor(key: &Key, set: &Item) -> Item {
    let mut item = set.clone();
    item.insert(PK.into(), Value::S(key.pk.clone()));
    item.insert(SK.into(), Value::S(key.sk.clone()));
    item
}

/// Encode a `LastEvaluatedKey` (string attributes only) as an opaque, URL-safe cursor.
pub(crate) fn encode_cursor(last: AttrMap) -> Result<String, StoreError> {
    let mut map = BTreeMap::new();
    for (k, v) in last {
        match v {
            AttributeValue::S(s) => {
                map.insert(k, s);
            }
            _ => return Err(StoreError::Invalid("unexpected key attribute type".into())),
        }
    }
    let json = serde_json::to_vec(&map).expect("a string map always serializes");
    Ok(BASE64URL_NOPAD.encode(&json))
}

/// Decode a cursor made by `encode_cursor` for a query on `partition` = `pk`: it must hold
/// exactly `attrs`, all strings, and belong to the same partition.
pub(crate) fn decode_cursor(
    cursor: &str,
    attrs: &[&str],
    partition: &str,
    pk: &str,
) -> Result<AttrMap, StoreError> {
    let bad = || StoreError::Invalid("malformed cursor".into());
    let json = BASE64URL_NOPAD
        .decode(cursor.as_bytes())
        .map_err(|_| bad())?;
    let map: BTreeMap<String, String> = serde_json::from_slice(&json).map_err(|_| bad())?;
    if map.len() != attrs.len() || attrs.iter().any(|a| !map.contains_key(*a)) {
        return Err(bad());
    }
    if map.get(partition).map(String::as_str) != Some(pk) || map.values().any(String::is_empty) {
        return Err(bad());
    }
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect())
}

/// Map an SDK failure to a `StoreError` carrying only the operation and the error code (never a
/// message, which may quote request values).
pub(crate) fn sdk_err<E, R>(op: &str, err: &SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("unknown");
            match code {
                "ConditionalCheckFailedException" => StoreError::ConditionFailed,
                "ValidationException" => {
                    let msg = e.message().unwrap_or_default().to_ascii_lowercase();
                    if msg.contains("size") && msg.contains("exceed") {
                        StoreError::TooLarge
                    } else {
                        tracing::warn!(op, code, "dynamodb rejected a request");
                        StoreError::Invalid(format!("{op}: rejected by DynamoDB validation"))
                    }
                }
                _ => {
                    tracing::warn!(op, code, "dynamodb request failed");
                    StoreError::Unavailable(format!("{op}: {code}"))
                }
            }
        }
        SdkError::TimeoutError(_) => StoreError::Unavailable(format!("{op}: timeout")),
        SdkError::DispatchFailure(_) => StoreError::Unavailable(format!("{op}: dispatch failure")),
        SdkError::ResponseError(_) => StoreError::Unavailable(format!("{op}: bad response")),
        SdkError::ConstructionFailure(_) => {
            StoreError::Invalid(format!("{op}: request construction failed"))
        }
        _ => StoreError::Unavailable(format!("{op}: failed")),
    }
}

/// A builder error (a required field missing) is a bug in this adapter, reported as Invalid.
pub(crate) fn build_err(_: impl std::error::Error) -> StoreError {
    StoreError::Invalid("incomplete DynamoDB request".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for v in [
            Value::S("x".into()),
            Value::N(-42),
            Value::N(i64::MAX),
            Value::B(vec![0, 1, 255]),
            Value::Bool(true),
        ] {
            assert_eq!(from_attr(to_attr(&v)).unwrap(), v);
        }
        assert!(from_attr(AttributeValue::N("1.5".into())).is_err());
        assert!(from_attr(AttributeValue::Null(true)).is_err());
    }

    #[test]
    fn cursor_round_trips_and_is_validated() {
        let last = key_map(&Key::new("G#1", "S#2"));
        let c = encode_cursor(last.clone()).unwrap();
        assert_eq!(decode_cursor(&c, &[PK, SK], PK, "G#1").unwrap(), last);
        assert!(decode_cursor(&c, &[PK, SK], PK, "G#2").is_err());
        assert!(decode_cursor(&c, &[PK, SK, "gsi1pk"], PK, "G#1").is_err());
        assert!(decode_cursor("not a cursor!", &[PK, SK], PK, "G#1").is_err());
        assert!(decode_cursor("", &[PK, SK], PK, "G#1").is_err());
        let other = BASE64URL_NOPAD.encode(br#"{"pk":"G#1","sk":1}"#);
        assert!(decode_cursor(&other, &[PK, SK], PK, "G#1").is_err());
    }

    #[test]
    fn update_expression_uses_placeholders() {
        let mut ex = Expr::default();
        let set = Item::from([("ttl".to_string(), Value::N(1))]);
        let e = ex.update(&set, &["x".into()]).unwrap();
        assert_eq!(e, "SET #n0 = :v0 REMOVE #n1");
        assert_eq!(ex.names().unwrap()["#n0"], "ttl");
        let bad = Item::from([(PK.to_string(), Value::S("a".into()))]);
        assert!(Expr::default().update(&bad, &[]).is_err());
        assert!(Expr::default().update(&Item::new(), &[SK.into()]).is_err());
        let gsi = Item::from([(GSI1PK.to_string(), Value::N(1))]);
        assert!(Expr::default().update(&gsi, &[]).is_err());
        let mut ex = Expr::default();
        assert_eq!(ex.update(&Item::new(), &[]).unwrap(), "REMOVE #n0");
        assert_eq!(ex.names().unwrap()["#n0"], NOOP_ATTR);
    }
}
