//! Lists: cursor pagination, sort parameters and the `Link` header.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::time::read_time;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// A validated page request: `limit` in 1..=200 and the decoded cursor, if any.
#[derive(Debug)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Cursor>,
}

/// Where the previous page ended: the sort it was issued for, the sort key's value and
/// the id of the last row (the tie-breaker).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "v")]
    pub value: serde_json::Value,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    fn decode(raw: &str) -> Option<Cursor> {
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .ok()?;
        serde_json::from_slice(&json).ok()
    }

    pub fn string_value(&self) -> Result<String, ApiError> {
        self.value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(invalid_cursor)
    }

    pub fn time_value(&self) -> Result<NaiveDateTime, ApiError> {
        self.value
            .as_str()
            .and_then(read_time)
            .ok_or_else(invalid_cursor)
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::parameter(
        "cursor",
        "invalid",
        "is not a cursor this list issued; use next_cursor from a previous page",
    )
}

impl PageRequest {
    /// `sort` is the canonical sort the cursor must have been issued for.
    pub fn new(limit: Option<u32>, cursor: Option<&str>, sort: &str) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::parameter(
                "limit",
                "range",
                format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
            ));
        }
        let after = match cursor {
            None => None,
            Some(raw) => {
                let cursor = Cursor::decode(raw).ok_or_else(invalid_cursor)?;
                if cursor.sort != sort {
                    return Err(ApiError::parameter(
                        "cursor",
                        "sort_mismatch",
                        format!(
                            "was issued for sort={}; repeat that sort or start without a cursor",
                            cursor.sort
                        ),
                    ));
                }
                Some(cursor)
            }
        };
        Ok(PageRequest {
            limit: i64::from(limit),
            after,
        })
    }

    /// Rows are fetched with `limit + 1` to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Trims the extra row and returns the cursor for the next page, if there is one.
    pub fn finish<R>(
        &self,
        rows: &mut Vec<R>,
        sort: &str,
        key: impl Fn(&R) -> (serde_json::Value, i64),
    ) -> Option<String> {
        if rows.len() as i64 <= self.limit {
            return None;
        }
        rows.truncate(self.limit as usize);
        rows.last().map(|last| {
            let (value, id) = key(last);
            Cursor {
                sort: sort.to_owned(),
                value,
                id,
            }
            .encode()
        })
    }
}

/// A list response with an RFC 8288 `Link: <…>; rel="next"` header when there is a next
/// page; the link repeats the request's own query with the new cursor.
pub fn page<T: Serialize>(req: &HttpRequest, body: &T, next_cursor: Option<&str>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = next_cursor {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        pairs.retain(|(k, _)| k != "cursor");
        pairs.push(("cursor".to_owned(), cursor.to_owned()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        response.insert_header((
            header::LINK,
            format!("<{}?{}>; rel=\"next\"", req.path(), query),
        ));
    }
    response.json(body)
}

/// Parses `?sort=` against the fields a resource allows; `-field` sorts descending.
pub fn parse_sort<F: Copy>(
    raw: Option<&str>,
    default: &str,
    allowed: &[(&str, F)],
) -> Result<(F, bool, String), ApiError> {
    let raw = raw.unwrap_or(default);
    let (name, descending) = match raw.strip_prefix('-') {
        Some(name) => (name, true),
        None => (raw, false),
    };
    allowed
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, field)| (*field, descending, raw.to_owned()))
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|(k, _)| *k).collect();
            ApiError::parameter(
                "sort",
                "invalid",
                format!(
                    "must be one of {} (prefix - for descending), got {raw:?}",
                    names.join(", ")
                ),
            )
        })
}
