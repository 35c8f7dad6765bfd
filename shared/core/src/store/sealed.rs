//! Sealing item fields: every piece of user content is encrypted with the item's key and the
//! field name bound as context before it reaches the store.

use crate::ports::{Crypto, Item, ItemExt, Key, Value};
use crate::store::keys::seal_context;
use crate::Fault;

pub fn seal(crypto: &dyn Crypto, key: &Key, field: &str, plain: &str) -> Value {
    Value::B(crypto.seal(&seal_context(key, field), plain.as_bytes()))
}

/// Open a sealed string field; `Ok(None)` when the item has no such field.
pub fn open(
    crypto: &dyn Crypto,
    item: &Item,
    key: &Key,
    field: &str,
) -> Result<Option<String>, Fault> {
    let Some(sealed) = item.b(field) else {
        return Ok(None);
    };
    let bytes = crypto.open(&seal_context(key, field), sealed)?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Fault::Corrupt("sealed field is not UTF-8"))
}
