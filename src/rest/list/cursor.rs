//! Cursors: where a page ended, as opaque base64url JSON, checked against the order it
//! was issued for before any query runs.

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::{After, Key, KeyKind, Sort};
use crate::error::{ApiError, ErrorCode};
use crate::time::{format_time, read_time};

impl Key {
    pub(super) fn to_json(&self) -> serde_json::Value {
        match self {
            Key::Text(text) => text.clone().into(),
            Key::Time(at) => format_time(at).into(),
            Key::Date(day) => day.to_string().into(),
            Key::Id => serde_json::Value::Null,
        }
    }

    /// The value a cursor carries, read as `kind`.
    fn from_json(value: &serde_json::Value, kind: KeyKind) -> Option<Key> {
        match kind {
            KeyKind::Text => value.as_str().map(|t| Key::Text(t.to_owned())),
            KeyKind::Time => value.as_str().and_then(read_time).map(Key::Time),
            KeyKind::Date => value
                .as_str()
                .and_then(|day| day.parse().ok())
                .map(Key::Date),
            KeyKind::Id => Some(Key::Id),
        }
    }
}

/// A cursor as it travels: the sort it was issued for, the key's value and the id of the
/// last row, as base64url JSON.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Cursor {
    #[serde(rename = "s")]
    pub(super) sort: String,
    #[serde(rename = "v")]
    pub(super) value: serde_json::Value,
    pub(super) id: i64,
}

impl Cursor {
    pub(super) fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    fn decode(raw: &str) -> Option<Cursor> {
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .ok()?;
        serde_json::from_slice(&json).ok()
    }
}

pub(super) fn decode_cursor<S: Sort>(
    raw: &str,
    sort_name: &str,
    sort: S,
) -> Result<After, ApiError> {
    let invalid = || {
        ApiError::parameter(
            "cursor",
            ErrorCode::Invalid,
            "is not a cursor this list issued; use next_cursor from a previous page",
        )
    };
    let cursor = Cursor::decode(raw).ok_or_else(invalid)?;
    if cursor.sort != sort_name {
        return Err(ApiError::parameter(
            "cursor",
            ErrorCode::SortMismatch,
            format!(
                "was issued for sort={}; repeat that sort or start without a cursor",
                cursor.sort
            ),
        ));
    }
    let key = Key::from_json(&cursor.value, sort.kind()).ok_or_else(invalid)?;
    Ok(After { key, id: cursor.id })
}
