//! List paging: `?limit=` and `?cursor=`, and opaque cursors. A store cursor holds internal keys
//! (other users' ids, blind indexes), so it never leaves the server in clear: it is sealed under
//! a context naming the list and the caller — a cursor only works for the list and the caller it
//! was issued to — and encoded base64url.

use data_encoding::BASE64URL_NOPAD;
use lambda_http::RequestExt;
use serde::Serialize;

use super::{ApiError, Ctx};
use crate::Deps;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;
/// Longer input cannot be a cursor we issued.
const MAX_CURSOR_CHARS: usize = 2048;

fn context(scope: &str) -> String {
    format!("cursor|{scope}")
}

/// Seal a store cursor for the client.
pub fn seal(deps: &Deps, scope: &str, raw: Option<String>) -> Option<String> {
    raw.map(|r| BASE64URL_NOPAD.encode(&deps.crypto.seal(&context(scope), r.as_bytes())))
}

fn invalid() -> ApiError {
    ApiError::bad("cursor is not valid here: pass back the nextCursor of the previous page.")
}

/// Open a cursor sealed by `seal` for the same scope.
pub fn open(deps: &Deps, scope: &str, sealed: &str) -> Result<String, ApiError> {
    if sealed.len() > MAX_CURSOR_CHARS {
        return Err(invalid());
    }
    let bytes = BASE64URL_NOPAD
        .decode(sealed.as_bytes())
        .map_err(|_| invalid())?;
    let raw = deps
        .crypto
        .open(&context(scope), &bytes)
        .map_err(|_| invalid())?;
    String::from_utf8(raw).map_err(|_| invalid())
}

/// The page size and the (opened) store cursor of a list request.
pub fn page(ctx: &Ctx, scope: &str) -> Result<(u32, Option<String>), ApiError> {
    let params = ctx.req.query_string_parameters_ref();
    let get = |name: &str| params.and_then(|q| q.first(name)).filter(|v| !v.is_empty());
    let limit = match get("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad(format!(
                    "limit must be a whole number from 1 to {MAX_LIMIT}."
                ))
            })?,
    };
    let cursor = get("cursor")
        .map(|c| open(&ctx.deps, scope, c))
        .transpose()?;
    Ok((limit, cursor))
}

/// `{"data": [...], "nextCursor": "..."}` (the cursor only when there may be more).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListReply<T: Serialize> {
    pub data: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T: Serialize> ListReply<T> {
    pub fn new(deps: &Deps, scope: &str, data: Vec<T>, next: Option<String>) -> Self {
        Self {
            data,
            next_cursor: seal(deps, scope, next),
        }
    }
}
