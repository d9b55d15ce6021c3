//! Request bodies: the validated JSON extractor, PATCH nulls and merge.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use validator::Validate;

use super::text::{control_character_error, has_control, Lines};
use crate::auth::gate::Gate;
use crate::error::{plain_message, ApiError, ErrorCode, FieldError};

/// Request bodies above this are refused with 413 before they are parsed.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON request body, parsed and validated. Malformed JSON → 400; well-formed JSON with
/// wrong, missing or unknown fields, or values failing validation → 422 with per-field
/// errors; another content type → 415; over [`BODY_LIMIT`] → 413.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.content_type().to_ascii_lowercase();
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = payload.take();
        let gate = Gate::of(req);
        Box::pin(async move {
            let result = read_json(&content_type, declared_len, payload).await;
            gate.hold(result).await.map(ValidJson)
        })
    }
}

/// A JSON body that may be left out: an empty body (whatever its `Content-Type`) reads as
/// `T::default()`; anything sent is held to [`ValidJson`]'s rules.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Validate + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.content_type().to_ascii_lowercase();
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
        let payload = payload.take();
        let gate = Gate::of(req);
        Box::pin(async move {
            // Nothing sent, whatever the headers say (curl users often name a JSON
            // content type on every request): the defaults.
            if declared_len.unwrap_or(0) == 0 && !chunked {
                return Ok(OptionalJson(T::default()));
            }
            let result = read_json(&content_type, declared_len, payload).await;
            gate.hold(result).await.map(OptionalJson)
        })
    }
}

async fn read_json<T: DeserializeOwned + Validate>(
    content_type: &str,
    declared_len: Option<usize>,
    mut payload: Payload,
) -> Result<T, ApiError> {
    let is_json = content_type == "application/json"
        || (content_type.starts_with("application/") && content_type.ends_with("+json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType(format!(
            "expected a JSON body with Content-Type: application/json, got {}",
            if content_type.is_empty() {
                "none"
            } else {
                content_type
            }
        )));
    }
    if declared_len.is_some_and(|len| len > BODY_LIMIT) {
        return Err(ApiError::PayloadTooLarge { limit: BODY_LIMIT });
    }
    let mut body = Vec::with_capacity(declared_len.unwrap_or(1024).min(BODY_LIMIT));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::BadRequest(format!("cannot read the request body: {e}")))?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(ApiError::PayloadTooLarge { limit: BODY_LIMIT });
        }
        body.extend_from_slice(&chunk);
    }
    refuse_control_characters(&body)?;
    let value = parse_json::<T>(&body)?;
    value.validate()?;
    Ok(value)
}

/// NUL and the other control characters except tab, newline and carriage return are
/// refused in every string of every body, whatever the field: PostgreSQL cannot store
/// NUL at all, and the rest is never meant. (Single-line fields also refuse tab and
/// newlines, with [`single_line`].) JSON can only carry them escaped (`\u0000`), or raw
/// as DEL and the C1 block, so a body without those bytes is passed without a second parse.
fn refuse_control_characters(body: &[u8]) -> Result<(), ApiError> {
    let suspicious = body.windows(2).any(|w| w == b"\\u" || w[0] == 0xC2) || body.contains(&0x7F);
    if !suspicious {
        return Ok(());
    }
    // Malformed JSON is reported by the typed parse that follows.
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    find_control_characters(&value, "", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn find_control_characters(value: &serde_json::Value, path: &str, out: &mut Vec<FieldError>) {
    use serde_json::Value;
    match value {
        Value::String(text) if has_control(text, Lines::Many) => {
            out.push(control_character_error(path))
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_control_characters(item, &format!("{path}[{index}]"), out);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                if has_control(name, Lines::One) {
                    out.push(control_character_error(&path));
                } else {
                    find_control_characters(item, &path, out);
                }
            }
        }
        _ => {}
    }
}

/// One value read off a larger document (a line of an import): refused for control
/// characters, parsed into `T` and validated exactly as a JSON body of its own would be.
pub fn checked_value<T: DeserializeOwned + Validate>(
    value: serde_json::Value,
) -> Result<T, ApiError> {
    no_control_characters(&value)?;
    validated(serde_path_to_error::deserialize(value))
}

/// [`checked_value`] of a value that stays with its owner (an import's line).
pub fn checked_ref<T: DeserializeOwned + Validate>(
    value: &serde_json::Value,
) -> Result<T, ApiError> {
    no_control_characters(value)?;
    validated(serde_path_to_error::deserialize(value))
}

fn no_control_characters(value: &serde_json::Value) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    find_control_characters(value, "", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The parse's complaint as a field error, or the parsed body once it passes `Validate`.
fn validated<T: Validate>(
    parsed: Result<T, serde_path_to_error::Error<serde_json::Error>>,
) -> Result<T, ApiError> {
    let parsed = parsed.map_err(|e| {
        let path = e.path().to_string();
        ApiError::Validation(vec![field_error(&path, &e.into_inner().to_string())])
    })?;
    parsed.validate()?;
    Ok(parsed)
}

/// A deserializer's complaint about the field at `path`, in the closed set of codes.
fn field_error(path: &str, message: &str) -> FieldError {
    let path = path.to_owned();
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(|name| {
                if path == "." {
                    name.to_owned()
                } else if path == name || path.ends_with(&format!(".{name}")) {
                    path.clone()
                } else {
                    format!("{path}.{name}")
                }
            })
    };
    let (field, code) = if let Some(field) = named("missing field `") {
        (field, ErrorCode::Required)
    } else if let Some(field) = named("unknown field `") {
        (field, ErrorCode::UnknownField)
    } else {
        (path.clone(), ErrorCode::Type)
    };
    let message = plain_message(message, "field of this request");
    FieldError::new(field, code, message)
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the request body is empty; expected a JSON object".into(),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = match message.find(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        if !inner.is_data() {
            return ApiError::BadRequest(format!("the request body is not valid JSON: {message}"));
        }
        // serde reads in one pass and stops at the first fault; a field fault met before a
        // syntax fault further on must not hide that the document is not JSON at all.
        if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            return ApiError::BadRequest(format!("the request body is not valid JSON: {syntax}"));
        }
        ApiError::Validation(vec![field_error(&path, &message)])
    })?;
    // Anything after the first JSON value is a malformed body, not something to ignore.
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    Ok(value)
}

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`,
/// a value → `Some(Some(v))`. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// For PATCH fields that cannot be cleared: absent → `None`, `null` → a 422 naming the
/// field (serde alone would read `null` as "absent" and silently ignore it). Use with
/// `#[serde(default, deserialize_with = "non_null")]`.
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(d)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom("must not be null")),
    }
}

/// Applies one field of a merge patch: `Some` replaces the value, `None` leaves it.
pub fn merge<T: Clone>(field: &mut T, patch: &Option<T>) {
    if let Some(value) = patch {
        field.clone_from(value);
    }
}
