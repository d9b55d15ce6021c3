//! The API conventions every resource shares (DESIGN §4): validated JSON bodies, ETags and
//! `If-Match`, cursor pagination with a `Link` header, RFC 3339 timestamps, PATCH nulls.

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use validator::Validate;

use crate::auth::gate::{self, Gate};
use crate::error::{ApiError, FieldError};

/// Request bodies above this are refused with 413 before they are parsed.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

// ---------------------------------------------------------------------------------------
// Bodies

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

/// Whether a text may span lines: long text keeps tabs and newlines, nothing else does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Whether `text` holds a control character not allowed in it.
pub fn has_control(text: &str, lines: Lines) -> bool {
    text.chars()
        .any(|c| c.is_control() && (lines == Lines::One || !matches!(c, '\t' | '\n' | '\r')))
}

fn control_character_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "control_character",
        "must not contain NUL or other control characters",
    )
}

/// Validates a single-line text (a name, an email, a key, a reference): no tab, newline
/// or other control character. For `#[validate(custom(function = single_line))]`.
pub fn single_line(value: &str) -> Result<(), validator::ValidationError> {
    if has_control(value, Lines::One) {
        let mut e = validator::ValidationError::new("control_character");
        e.message = Some("must be a single line without tabs or control characters".into());
        return Err(e);
    }
    Ok(())
}

/// Validates a web address a browser may open: absolute `http` or `https` only, so a
/// stored link can never run script (`javascript:`) or reach a local file.
pub fn web_url(value: &str) -> Result<(), validator::ValidationError> {
    let lower = value.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    if scheme_ok && validator::ValidateUrl::validate_url(&value) && !has_control(value, Lines::One)
    {
        return Ok(());
    }
    let mut e = validator::ValidationError::new("url");
    e.message = Some("must be an absolute http or https URL such as https://example.com".into());
    Err(e)
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
            (field, "required")
        } else if let Some(field) = named("unknown field `") {
            (field, "unknown_field")
        } else {
            (path.clone(), "type")
        };
        ApiError::Validation(vec![FieldError::new(field, code, message)])
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

/// Validates a required single line (a name, which is stored trimmed): not only
/// whitespace, and no tab, newline or other control character inside.
pub fn required_line(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        let mut e = validator::ValidationError::new("blank");
        e.message = Some("must not be blank".into());
        return Err(e);
    }
    single_line(value.trim())
}

// ---------------------------------------------------------------------------------------
// ETags and preconditions

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` request header. Absent means "no precondition"; `*` matches any
/// existing record; weak tags never match, as RFC 9110 requires strong comparison.
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    pub fn check(&self, current_version: i32) -> Result<(), ApiError> {
        let Some(tags) = &self.0 else { return Ok(()) };
        let current = etag(current_version);
        if tags.iter().any(|tag| tag == "*" || *tag == current) {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "If-Match does not match the current ETag {current}: the record changed since \
                 you read it; fetch it again and retry"
            )))
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        gate::held(req, IfMatch::read(req))
    }
}

impl IfMatch {
    fn read(req: &HttpRequest) -> Result<IfMatch, ApiError> {
        let values: Vec<_> = req.headers().get_all(header::IF_MATCH).collect();
        if values.is_empty() {
            return Ok(IfMatch(None));
        }
        let mut tags = Vec::new();
        for value in values {
            let value = value
                .to_str()
                .map_err(|_| ApiError::BadRequest("malformed If-Match header".into()))?;
            tags.extend(
                value
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty()),
            );
        }
        Ok(IfMatch(Some(tags)))
    }
}

// ---------------------------------------------------------------------------------------
// Query and path parameters

/// Query parameters deserialized into `T`, under one rule for every parameter of every
/// list: a parameter given is used, so an empty value (`?sort=`), an unknown name, a value
/// of the wrong type or one holding a control character is a 400 problem naming it in
/// `errors`. Leave a parameter out to leave it unset.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        gate::held(req, parse_query(req.query_string()).map(Query))
    }
}

fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(query.as_bytes());
    let mut errors = Vec::new();
    for (name, value) in pairs {
        if has_control(&name, Lines::One) {
            errors.push(control_character_error(&name.escape_default().to_string()));
        } else if has_control(&value, Lines::One) {
            errors.push(control_character_error(&name));
        } else if value.is_empty() {
            errors.push(FieldError::new(
                name,
                "empty",
                "is empty; leave the parameter out to leave it unset",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let de = serde_urlencoded::Deserializer::new(pairs);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        match message.strip_prefix("unknown field `") {
            Some(rest) => {
                let name = rest.split('`').next().unwrap_or_default();
                ApiError::parameter(
                    name,
                    "unknown_parameter",
                    format!("is not a parameter of this list; {message}"),
                )
            }
            None if path != "." => ApiError::parameter(&path, "type", message),
            None => ApiError::BadRequest(format!("the query string cannot be read: {message}")),
        }
    })
}

/// Path parameters deserialized into `T`. A value that cannot name a record (a number
/// that is not one, say) is a 404 like any unknown id; one holding a control character is
/// a 400 naming the parameter, since no record could ever be named by it.
pub struct Path<T>(pub T);

impl<T> Path<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Path<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        gate::held(req, Path::read(req))
    }
}

impl<T: DeserializeOwned> Path<T> {
    fn read(req: &HttpRequest) -> Result<Self, ApiError> {
        let info = req.match_info();
        if let Some((name, _)) = info.iter().find(|(_, v)| has_control(v, Lines::One)) {
            return Err(ApiError::InvalidParameters(vec![control_character_error(
                name,
            )]));
        }
        T::deserialize(actix_router::PathDeserializer::new(info))
            .map(Path)
            .map_err(|_| ApiError::NotFound(format!("no such resource: {}", req.path())))
    }
}

/// A single record: its JSON, an `ETag`, and for 201 a `Location`.
pub fn record<T: Serialize>(status: StatusCode, body: &T, version: i32) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

pub fn created<T: Serialize>(location: String, body: &T, version: i32) -> HttpResponse {
    let mut response = record(StatusCode::CREATED, body, version);
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

// ---------------------------------------------------------------------------------------
// Timestamps

/// Now, at the microsecond precision both databases keep, so a value read back equals
/// the value written.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

// ---------------------------------------------------------------------------------------
// Pagination

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

/// Parses an optional RFC 3339 query timestamp such as `updated_since`.
pub fn parse_time_param(name: &str, raw: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    raw.map(|r| parse_time(name, r)).transpose()
}

fn parse_time(name: &str, raw: &str) -> Result<NaiveDateTime, ApiError> {
    read_time(raw).ok_or_else(|| {
        ApiError::parameter(
            name,
            "format",
            format!("must be an RFC 3339 timestamp such as 2026-01-31T09:00:00Z, got {raw:?}"),
        )
    })
}

/// The inverse of [`format_time`], accepting any RFC 3339 offset.
fn read_time(raw: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.naive_utc())
}

/// A stored UTC timestamp as RFC 3339 with a `Z`, e.g. `2026-11-26T09:30:00.123456Z`:
/// how every timestamp leaves the service, in bodies and in cursors.
pub fn format_time(at: &NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Serializes with [`format_time`], for `#[serde(serialize_with = "rfc3339")]`.
pub fn rfc3339<S: serde::Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(at))
}

/// Applies one field of a merge patch: `Some` replaces the value, `None` leaves it.
pub fn merge<T: Clone>(field: &mut T, patch: &Option<T>) {
    if let Some(value) = patch {
        field.clone_from(value);
    }
}

/// A stored text value that is not one of an enum's variants (a CHECK constraint makes
/// this a corrupted database, never user input).
#[derive(Debug, thiserror::Error)]
#[error("unexpected stored value {0:?}")]
pub struct UnknownVariant(pub String);

/// A string enum stored as TEXT: serde names, an OpenAPI enum schema, `as_str` for
/// writes and `TryFrom<String>` for `#[diesel(deserialize_as = String)]` reads.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::rest::UnknownVariant;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                match value.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::rest::UnknownVariant(value)),
                }
            }
        }
    };
}
pub(crate) use text_enum;

/// Keyset pagination on `(column, id)`: rows strictly after the cursor's position, in
/// the requested direction, with `id` breaking ties so pages never overlap or skip.
macro_rules! keyset {
    ($query:ident, $column:expr, $id:expr, $after:expr, $descending:expr) => {{
        if let Some((value, last_id)) = $after {
            $query = if $descending {
                $query.filter(
                    $column
                        .lt(value.clone())
                        .or($column.eq(value).and($id.lt(last_id))),
                )
            } else {
                $query.filter(
                    $column
                        .gt(value.clone())
                        .or($column.eq(value).and($id.gt(last_id))),
                )
            };
        }
        $query = if $descending {
            $query.order(($column.desc(), $id.desc()))
        } else {
            $query.order(($column.asc(), $id.asc()))
        };
    }};
}
pub(crate) use keyset;

/// `%` and `_` in a user's search text match themselves, not any character.
pub fn like_pattern(search: &str) -> String {
    let mut escaped = String::with_capacity(search.len() + 2);
    escaped.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
