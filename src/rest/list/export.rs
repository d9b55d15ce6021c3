//! `Accept: text/csv` on a list: every row the filters match, in the caller's scope, as
//! one CSV document with a header row, streamed page by page along the list's own keyset
//! order, so that memory does not grow with the number of rows.
//!
//! The columns are the record's fields (not `allowed_actions`, which belongs to the caller,
//! not the record), named as in JSON; a nested object of plain values, such as a money
//! amount, becomes one column per field (`budget.amount_minor`, `budget.currency`), and
//! anything deeper is one cell of JSON. These are the columns the import reads, so an
//! export edited and sent back to `POST /imports/{resource}` changes what was edited.

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::PartialSchema;

use super::{After, ListQuery, Sort};
use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;

/// The media type of an export.
pub const CSV: &str = "text/csv";

/// Rows read per query while streaming: large enough that the round trips do not
/// dominate, small enough that one batch is a few hundred kilobytes at most.
const BATCH: i64 = 500;

/// What a list answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// CSV when `Accept` prefers `text/csv` to JSON; JSON otherwise (no `Accept`, `*/*`,
    /// a tie, or nothing either could satisfy).
    pub fn negotiate(accept: Option<&HeaderValue>) -> Format {
        let Some(accept) = accept.and_then(|value| value.to_str().ok()) else {
            return Format::Json;
        };
        let ranges: Vec<(&str, &str, f32)> = accept.split(',').filter_map(media_range).collect();
        let quality = |kind: &str, sub: &str| {
            // The most specific range that matches decides (RFC 9110 §12.5.1).
            ranges
                .iter()
                .filter_map(|(t, s, q)| {
                    let specificity = if t.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(sub)
                    {
                        2
                    } else if t.eq_ignore_ascii_case(kind) && *s == "*" {
                        1
                    } else if (*t, *s) == ("*", "*") {
                        0
                    } else {
                        return None;
                    };
                    Some((specificity, *q))
                })
                .max_by_key(|(specificity, _)| *specificity)
                .map(|(_, q)| q)
        };
        let json = quality("application", "json").unwrap_or(0.0);
        match quality("text", "csv") {
            Some(csv) if csv > json => Format::Csv,
            _ => Format::Json,
        }
    }
}

/// `type/subtype;q=0.5` as its type, subtype and weight (1 unless given); a range that
/// does not parse names nothing.
fn media_range(item: &str) -> Option<(&str, &str, f32)> {
    let mut parts = item.split(';');
    let (kind, sub) = parts.next()?.trim().split_once('/')?;
    let mut quality = 1.0;
    for param in parts {
        if let Some((name, value)) = param.trim().split_once('=') {
            if name.trim().eq_ignore_ascii_case("q") {
                quality = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q))?;
            }
        }
    }
    Some((kind.trim(), sub.trim(), quality))
}

/// One column: a field, or a field of a nested object.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    field: String,
    inner: Option<String>,
}

/// The columns of `T`: its fields in the order its schema declares them, each nested
/// object of plain values (as its documented example shows it, every field given) spread
/// into a column per field. The header is the same whether or not any row has a value in
/// a column, and an empty export still names its columns.
fn columns<T: PartialSchema>() -> Vec<Column> {
    let schema = T::schema();
    let example = serde_json::to_value(&schema)
        .ok()
        .and_then(|s| s.get("example").cloned())
        .unwrap_or_default();
    let declared: Vec<String> = match &schema {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    };
    if declared.is_empty() {
        return columns_of(
            &example,
            example
                .as_object()
                .into_iter()
                .flat_map(|o| o.keys().cloned()),
        );
    }
    columns_of(&example, declared.into_iter())
}

fn columns_of(example: &Value, fields: impl Iterator<Item = String>) -> Vec<Column> {
    let mut columns = Vec::new();
    for field in fields {
        match example.get(&field).and_then(Value::as_object) {
            Some(inner) if inner.values().all(is_plain) => {
                columns.extend(inner.keys().map(|key| Column {
                    name: format!("{field}.{key}"),
                    field: field.clone(),
                    inner: Some(key.clone()),
                }))
            }
            _ => columns.push(Column {
                name: field.clone(),
                field,
                inner: None,
            }),
        }
    }
    columns
}

fn is_plain(value: &Value) -> bool {
    !(value.is_object() || value.is_array())
}

/// A value as a cell: text as it is, numbers and booleans as JSON writes them, nothing as
/// an empty cell, anything else as JSON.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

fn write_rows<R: Serialize>(
    out: &mut csv::Writer<Vec<u8>>,
    columns: &[Column],
    rows: &[R],
) -> Result<(), ApiError> {
    for row in rows {
        let value = serde_json::to_value(row)
            .map_err(|e| ApiError::internal(format!("a row could not be exported: {e}")))?;
        let record = columns.iter().map(|column| {
            let field = value.get(&column.field);
            cell(match &column.inner {
                Some(inner) => field.and_then(|f| f.get(inner)),
                None => field,
            })
        });
        out.write_record(record).map_err(csv_failure)?;
    }
    Ok(())
}

fn csv_failure(e: csv::Error) -> ApiError {
    ApiError::internal(format!("the CSV could not be written: {e}"))
}

/// Reads the next batch after `query`'s position; moved from one blocking task to the next.
pub type Fetch<F, S> =
    Box<dyn FnMut(&mut DbConn, &ListQuery<F, S>) -> Result<Vec<<S as Sort>::Row>, ApiError> + Send>;

/// Where an export stands between two batches.
struct Export<F, S: Sort> {
    pool: Pool,
    /// The query and its reader; away while a batch is being read.
    work: Option<(ListQuery<F, S>, Fetch<F, S>)>,
    columns: Vec<Column>,
    /// The first batch, read while the request was authorized.
    first: Option<Vec<S::Row>>,
    header: bool,
    done: bool,
}

impl<F, S: Sort> ListQuery<F, S> {
    /// Whether the caller asked for the whole list as CSV.
    pub fn wants_csv(&self) -> bool {
        self.format == Format::Csv
    }

    /// The query an export reads batches with: the same filters, order and starting point,
    /// `limit` rows at a time if given, else [`BATCH`].
    pub fn for_export(mut self) -> Self {
        if !self.pairs.iter().any(|(name, _)| name == "limit") {
            self.limit = BATCH;
        }
        self
    }
}

/// `200 text/csv` with every row from `first` (the first batch of `query`, fetched with
/// `query.fetch_limit()`) on, each further batch read by `fetch` on a pooled connection
/// only once the client has taken the one before.
pub fn stream<F, S>(
    pool: &Pool,
    query: ListQuery<F, S>,
    first: Vec<S::Row>,
    fetch: Fetch<F, S>,
) -> HttpResponse
where
    F: Send + 'static,
    S: Sort,
    S::Row: Serialize + PartialSchema + Send + 'static,
{
    let export = Export {
        pool: pool.clone(),
        work: Some((query, fetch)),
        columns: columns::<S::Row>(),
        first: Some(first),
        header: true,
        done: false,
    };
    let body = futures_util::stream::unfold(export, |mut export| async move {
        if export.done {
            return None;
        }
        let rows = match export.first.take() {
            Some(rows) => Ok(rows),
            None => export.next_batch().await,
        };
        let chunk = rows.and_then(|rows| export.chunk(rows));
        if let Err(e) = &chunk {
            // The status has gone out already: the body stops short, and the log says why.
            log::error!("an export stopped: {e}");
            export.done = true;
        }
        Some((chunk, export))
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::VARY, "Accept"))
        .streaming(body)
}

impl<F: Send + 'static, S: Sort> Export<F, S>
where
    S::Row: Serialize + Send + 'static,
{
    /// The rows after the last batch, read on the blocking pool.
    async fn next_batch(&mut self) -> Result<Vec<S::Row>, ApiError> {
        let (query, mut fetch) = self
            .work
            .take()
            .expect("an export reads one batch at a time");
        let (query, fetch, rows) = db::run(&self.pool, move |conn| {
            let rows = fetch(conn, &query)?;
            Ok((query, fetch, rows))
        })
        .await?;
        self.work = Some((query, fetch));
        Ok(rows)
    }

    /// The CSV of `rows` (with the header, the first time), and the position after them.
    fn chunk(&mut self, mut rows: Vec<S::Row>) -> Result<Bytes, ApiError> {
        let (query, _) = self
            .work
            .as_mut()
            .expect("an export reads one batch at a time");
        if rows.len() as i64 > query.limit {
            rows.truncate(query.limit as usize);
            let last = rows.last().expect("a batch longer than its limit has rows");
            query.after = Some(After {
                key: query.sort.key(last),
                id: S::id(last),
            });
        } else {
            self.done = true;
        }
        let mut out = csv::Writer::from_writer(Vec::new());
        if std::mem::take(&mut self.header) {
            out.write_record(self.columns.iter().map(|c| c.name.as_str()))
                .map_err(csv_failure)?;
        }
        write_rows(&mut out, &self.columns, &rows)?;
        let bytes = out
            .into_inner()
            .map_err(|e| ApiError::internal(format!("the CSV could not be written: {e}")))?;
        Ok(Bytes::from(bytes))
    }
}
