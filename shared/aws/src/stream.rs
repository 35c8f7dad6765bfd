//! DynamoDB Stream records (as delivered to a Lambda, in DynamoDB JSON) to store items, so the
//! `notify` function can hand each change to `statx_core::notify::on_change`.

use data_encoding::BASE64;
use serde_json::Value as Json;
use statx_core::ports::store::key_of;
use statx_core::ports::{Item, Key, Value};

/// One change from a stream record.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamChange {
    /// The record's sequence number (the batch item identifier for partial failures).
    pub sequence: String,
    pub key: Key,
    pub old: Option<Item>,
    pub new: Option<Item>,
}

/// A stream image (`{"attr": {"S": "..."}, ...}`) as an item. Attribute types StatX never
/// writes (lists, maps, sets) make the image unreadable: `None`.
pub fn image_to_item(image: &Json) -> Option<Item> {
    let mut item = Item::new();
    for (name, typed) in image.as_object()? {
        let (ty, v) = typed.as_object()?.iter().next()?;
        let value = match ty.as_str() {
            "S" => Value::S(v.as_str()?.to_string()),
            "N" => Value::N(v.as_str()?.parse().ok()?),
            "B" => Value::B(BASE64.decode(v.as_str()?.as_bytes()).ok()?),
            "BOOL" => Value::Bool(v.as_bool()?),
            _ => return None,
        };
        item.insert(name.clone(), value);
    }
    Some(item)
}

/// Every record of a stream event; a record that cannot be read is an `Err` with its
/// sequence number, so the caller can report it as a batch item failure.
pub fn changes(event: &Json) -> Vec<Result<StreamChange, String>> {
    let Some(records) = event.get("Records").and_then(Json::as_array) else {
        return Vec::new();
    };
    records
        .iter()
        .map(|r| {
            let d = r.get("dynamodb").ok_or_else(String::new)?;
            let sequence = d
                .get("SequenceNumber")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            let image = |name: &str| d.get(name).map(image_to_item);
            let (old, new) = (image("OldImage"), image("NewImage"));
            let keys = d.get("Keys").and_then(image_to_item);
            let (Some(Some(_)) | None, Some(Some(_)) | None) = (&old, &new) else {
                return Err(sequence);
            };
            let key = keys
                .as_ref()
                .and_then(key_of)
                .ok_or_else(|| sequence.clone())?;
            Ok(StreamChange {
                sequence,
                key,
                old: old.flatten(),
                new: new.flatten(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_modify_records() {
        let event = json!({"Records": [{
            "eventName": "MODIFY",
            "dynamodb": {
                "Keys": {"pk": {"S": "GROUP#g"}, "sk": {"S": "STAT#s"}},
                "OldImage": {"pk": {"S": "GROUP#g"}, "sk": {"S": "STAT#s"}, "version": {"N": "1"}},
                "NewImage": {"pk": {"S": "GROUP#g"}, "sk": {"S": "STAT#s"}, "version": {"N": "2"},
                             "content": {"B": "AQID"}, "adminOnly": {"BOOL": false}},
                "SequenceNumber": "111"
            }
        }, {"dynamodb": {"Keys": {"pk": {"L": []}}, "SequenceNumber": "222"}}]});
        let out = changes(&event);
        let c = out[0].as_ref().unwrap();
        assert_eq!(c.key, Key::new("GROUP#g", "STAT#s"));
        assert_eq!(c.new.as_ref().unwrap()["content"], Value::B(vec![1, 2, 3]));
        assert_eq!(c.old.as_ref().unwrap()["version"], Value::N(1));
        assert_eq!(out[1], Err("222".to_string()));
    }
}
