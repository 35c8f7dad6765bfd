//! Reading requests the way StatX clients send them: JSON bodies whatever the Content-Type,
//! header names in any case, strict about unknown fields, error messages that name the field
//! and never echo the value.

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The raw body bytes.
pub fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        // `Body` is non-exhaustive; nothing else is produced for API Gateway events.
        _ => &[],
    }
}

/// Parse the body as a JSON object into `T` (which should `deny_unknown_fields`).
pub fn json<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let bytes = body_bytes(req);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad("The request body must be a JSON object."));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| ApiError::bad("The request body is not valid JSON."))?;
    if !value.is_object() {
        return Err(ApiError::bad("The request body must be a JSON object."));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        ApiError::BadRequest(describe(&path, &inner))
    })
}

/// Turn a serde error into a message that names the field but never repeats the value sent.
fn describe(path: &str, inner: &str) -> String {
    if let Some(rest) = inner.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return format!("Missing field `{field}`.");
    }
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let field: String = rest
            .split('`')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        return format!("Unknown field `{field}`.");
    }
    if path.is_empty() || path == "." {
        "The request body has an invalid shape.".into()
    } else {
        format!("Field `{path}` has the wrong type or an invalid value.")
    }
}

/// A header as text (names are case-insensitive).
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The caller's source IP as API Gateway saw it (the TCP peer for the local server).
pub fn source_ip(req: &Request) -> Option<String> {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
}

/// A path parameter given by API Gateway (or the local server).
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_string)
        .ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct T {
        phone_number: String,
    }

    fn req(body: &str) -> Request {
        http::Request::builder()
            .body(Body::Text(body.into()))
            .unwrap()
    }

    fn msg(body: &str) -> String {
        match json::<T>(&req(body)) {
            Err(ApiError::BadRequest(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn messages_name_fields_never_values() {
        assert!(json::<T>(&req(r#"{"phoneNumber":"+1"}"#)).is_ok());
        assert_eq!(msg(""), "The request body must be a JSON object.");
        assert_eq!(msg("[1]"), "The request body must be a JSON object.");
        assert_eq!(msg("{nope"), "The request body is not valid JSON.");
        assert_eq!(msg("{}"), "Missing field `phoneNumber`.");
        assert_eq!(
            msg(r#"{"phoneNumber":"x","evil":1}"#),
            "Unknown field `evil`."
        );
        let m = msg(r#"{"phoneNumber":15555550123}"#);
        assert!(!m.contains("15555550123"), "{m}");
        assert!(m.contains("phoneNumber"), "{m}");
    }
}
