//! Lists: one pipeline for every list operation. A resource declares its filter type and
//! its [`Sort`]; [`ListQuery`] takes `limit`, `cursor` and `sort` off the query string,
//! reads the rest into the filter, and checks all of it before any query runs; the
//! rows a repo returns become a [`Page`] with its `Link` header.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::params;
use crate::auth::gate;
use crate::error::{ApiError, ErrorCode};

mod cursor;
pub mod export;
mod spec;

pub use spec::document_export;

use cursor::{decode_cursor, Cursor};
use export::Format;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// How a resource's list may be ordered. Every order ends with the row id, so that rows
/// with equal keys still come in one order and pages never overlap or skip.
pub trait Sort: Copy + Send + 'static {
    /// The rows being ordered, as the repo returns them.
    type Row;
    /// The keys `?sort=` accepts, each also as `-key` for descending.
    const KEYS: &'static [(&'static str, Self)];
    /// The order when `sort` is left out, as `sort` would name it.
    const DEFAULT: &'static str;
    /// The kind of value this order compares, so a cursor is checked before any query.
    fn kind(self) -> KeyKind;
    /// The row's value under this order (of [`Sort::kind`]), for the next page's cursor.
    fn key(self, row: &Self::Row) -> Key;
    /// The row's id.
    fn id(row: &Self::Row) -> i64;
}

/// What the order most records share needs of a row: `(id, name, created_at, updated_at)`.
pub trait Named {
    /// What `?sort=` calls the name: a brief's is its `title`.
    const NAME: &'static str = "name";
    fn naming(&self) -> (i64, &str, NaiveDateTime, NaiveDateTime);
}

/// The keys of the order most records share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Name,
    CreatedAt,
    UpdatedAt,
}

/// The order most records share: by name (as [`Named::NAME`] calls it), `created_at` (the
/// default) or `updated_at`.
pub struct ByNameOrTime<R>(pub By, PhantomData<fn() -> R>);

impl<R> ByNameOrTime<R> {
    const fn new(by: By) -> Self {
        ByNameOrTime(by, PhantomData)
    }
}

// By hand: derived, they would ask `R` to be `Clone` and `Debug` too.
impl<R> Clone for ByNameOrTime<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for ByNameOrTime<R> {}

impl<R> std::fmt::Debug for ByNameOrTime<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<R: Named + 'static> Sort for ByNameOrTime<R> {
    type Row = R;
    const KEYS: &'static [(&'static str, Self)] = &[
        (R::NAME, Self::new(By::Name)),
        ("created_at", Self::new(By::CreatedAt)),
        ("updated_at", Self::new(By::UpdatedAt)),
    ];
    const DEFAULT: &'static str = "created_at";

    fn kind(self) -> KeyKind {
        match self.0 {
            By::Name => KeyKind::Text,
            By::CreatedAt | By::UpdatedAt => KeyKind::Time,
        }
    }

    fn key(self, row: &R) -> Key {
        let (_, name, created_at, updated_at) = row.naming();
        match self.0 {
            By::Name => Key::Text(name.to_owned()),
            By::CreatedAt => Key::Time(created_at),
            By::UpdatedAt => Key::Time(updated_at),
        }
    }

    fn id(row: &R) -> i64 {
        row.naming().0
    }
}

/// What an order compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Text,
    Time,
    /// A calendar day, `YYYY-MM-DD`.
    Date,
    /// Nothing beyond the id.
    Id,
}

/// A sort key's value: text, a timestamp, or nothing beyond the id.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Text(String),
    Time(NaiveDateTime),
    Date(chrono::NaiveDate),
    Id,
}

/// Where the previous page ended: its last row's key and id.
#[derive(Debug, Clone)]
pub struct After {
    pub key: Key,
    pub id: i64,
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A validated list request: the resource's filter, the order, and which page.
#[derive(Debug)]
pub struct ListQuery<F, S> {
    pub filter: F,
    pub sort: S,
    pub descending: bool,
    pub limit: i64,
    pub after: Option<After>,
    /// The order as `sort` names it, e.g. `-name`: what a cursor is issued for.
    sort_name: String,
    /// The request's path and its other parameters, for the next page's `Link`.
    path: String,
    pairs: Vec<(String, String)>,
    /// One page as JSON, or every row as CSV (`Accept: text/csv`, see [`export`]).
    format: Format,
}

impl<F, S: Sort> ListQuery<F, S> {
    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// The position after which a text-keyed order goes on.
    pub fn after_text(&self) -> Option<(String, i64)> {
        match &self.after {
            Some(After {
                key: Key::Text(text),
                id,
            }) => Some((text.clone(), *id)),
            _ => None,
        }
    }

    /// The position after which a time-keyed order goes on.
    pub fn after_time(&self) -> Option<(NaiveDateTime, i64)> {
        match &self.after {
            Some(After {
                key: Key::Time(at),
                id,
            }) => Some((*at, *id)),
            _ => None,
        }
    }

    /// The position after which a date-keyed order goes on.
    pub fn after_date(&self) -> Option<(chrono::NaiveDate, i64)> {
        match &self.after {
            Some(After {
                key: Key::Date(day),
                id,
            }) => Some((*day, *id)),
            _ => None,
        }
    }

    /// The id after which an id-ordered list goes on.
    pub fn after_id(&self) -> Option<i64> {
        self.after.as_ref().map(|after| after.id)
    }

    /// The page of `rows` (fetched with [`Self::fetch_limit`]) and the cursor after it.
    pub fn page(self, mut rows: Vec<S::Row>) -> Listed<S::Row> {
        let mut next_cursor = None;
        if rows.len() as i64 > self.limit {
            rows.truncate(self.limit as usize);
            next_cursor = rows.last().map(|last| {
                Cursor {
                    sort: self.sort_name.clone(),
                    value: self.sort.key(last).to_json(),
                    id: S::id(last),
                }
                .encode()
            });
        }
        let link = next_cursor.as_ref().map(|cursor| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (name, value) in self.pairs.iter().filter(|(name, _)| name != "cursor") {
                query.append_pair(name, value);
            }
            query.append_pair("cursor", cursor);
            format!("<{}?{}>; rel=\"next\"", self.path, query.finish())
        });
        Listed {
            page: Page {
                data: rows,
                next_cursor,
            },
            link,
        }
    }
}

/// A page ready to answer, with its `Link` header when another page follows.
#[derive(Debug)]
pub struct Listed<T> {
    page: Page<T>,
    link: Option<String>,
}

impl<T> Listed<T> {
    /// The same page with its rows turned, all at once, into what the list shows (so
    /// that what needs a query asks it once for the page, not once per row).
    pub fn try_map_all<U, E>(
        self,
        f: impl FnOnce(Vec<T>) -> Result<Vec<U>, E>,
    ) -> Result<Listed<U>, E> {
        Ok(Listed {
            page: Page {
                data: f(self.page.data)?,
                next_cursor: self.page.next_cursor,
            },
            link: self.link,
        })
    }

    /// `200` with the page, and an RFC 8288 `Link: <…>; rel="next"` repeating the
    /// request's own parameters with the new cursor.
    pub fn respond(self) -> HttpResponse
    where
        T: Serialize,
    {
        let mut response = HttpResponse::Ok();
        // The same list answers CSV to `Accept: text/csv` (see `export`).
        response.insert_header((header::VARY, "Accept"));
        if let Some(link) = self.link {
            response.insert_header((header::LINK, link));
        }
        response.json(self.page)
    }
}

impl<F: DeserializeOwned + 'static, S: Sort> FromRequest for ListQuery<F, S> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let format = Format::negotiate(req.headers().get(header::ACCEPT));
        gate::held(req, read(req.path(), req.query_string(), format))
    }
}

fn read<F: DeserializeOwned, S: Sort>(
    path: &str,
    query: &str,
    format: Format,
) -> Result<ListQuery<F, S>, ApiError> {
    let pairs = params::checked_pairs(query)?;
    let (paging, rest): (Vec<_>, Vec<_>) = pairs
        .iter()
        .cloned()
        .partition(|(name, _)| matches!(name.as_str(), "limit" | "cursor" | "sort"));
    for name in ["limit", "cursor", "sort"] {
        if paging.iter().filter(|(n, _)| n == name).count() > 1 {
            return Err(ApiError::parameter(
                name,
                ErrorCode::Duplicate,
                "is given more than once",
            ));
        }
    }
    let given = |name: &str| {
        paging
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let limit = match given("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => raw.parse::<u32>().map_err(|_| {
            ApiError::parameter(
                "limit",
                ErrorCode::Type,
                format!("must be a whole number, got {raw:?}"),
            )
        })?,
    };
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::parameter(
            "limit",
            ErrorCode::Range,
            format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
        ));
    }
    let sort_name = given("sort").unwrap_or(S::DEFAULT).to_owned();
    let (sort, descending) = parse_sort::<S>(&sort_name)?;
    let after = given("cursor")
        .map(|raw| decode_cursor(raw, &sort_name, sort))
        .transpose()?;
    let filter = params::from_pairs(&rest).map_err(name_paging_parameters)?;
    Ok(ListQuery {
        filter,
        sort,
        descending,
        limit: i64::from(limit),
        after,
        sort_name,
        path: path.to_owned(),
        pairs,
        format,
    })
}

/// The filter type knows only the filters: an unknown parameter's message names the
/// paging parameters too, so it lists everything the list takes.
fn name_paging_parameters(e: ApiError) -> ApiError {
    match e {
        ApiError::InvalidParameters(mut errors) => {
            for error in errors
                .iter_mut()
                .filter(|e| e.code == ErrorCode::UnknownParameter)
            {
                error.message = error
                    .message
                    .replace("known: ", "known: limit, cursor, sort, ");
            }
            ApiError::InvalidParameters(errors)
        }
        other => other,
    }
}

fn parse_sort<S: Sort>(raw: &str) -> Result<(S, bool), ApiError> {
    let (name, descending) = match raw.strip_prefix('-') {
        Some(name) => (name, true),
        None => (raw, false),
    };
    S::KEYS
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, sort)| (*sort, descending))
        .ok_or_else(|| {
            ApiError::parameter(
                "sort",
                ErrorCode::Invalid,
                format!(
                    "must be one of {} (prefix - for descending), got {raw:?}",
                    keys::<S>().join(", ")
                ),
            )
        })
}

pub(super) fn keys<S: Sort>() -> Vec<&'static str> {
    S::KEYS.iter().map(|(key, _)| *key).collect()
}
