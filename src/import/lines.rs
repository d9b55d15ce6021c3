//! The lines of an import body, each as the JSON object a single-record request would
//! send: CSV (a header row naming the columns, UTF-8 with or without a BOM) or NDJSON (one
//! object per line). A CSV cell is typed by the column's type in the create body's schema
//! (an integer column's cell becomes a number), an empty cell is `null`, and the columns
//! `budget.amount_minor` and `budget.currency` become one object `budget`, as the export
//! writes them.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use super::Format;
use crate::error::{ApiError, ErrorCode, FieldError};

/// The JSON type a column's cells are read as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Integer,
    Boolean,
    Text,
}

/// The column types of an import: each field of the create body, and each field of a
/// nested object as `field.inner`.
#[derive(Debug, Clone, Default)]
pub struct Shape(HashMap<String, Kind>);

impl Shape {
    /// The shape of `T`'s schema (its properties, and those of the objects they refer to).
    pub fn of<T: ToSchema>() -> Shape {
        let mut components = Vec::new();
        T::schemas(&mut components);
        let components: HashMap<String, Value> = components
            .into_iter()
            .map(|(name, schema)| (name, to_json(&schema)))
            .collect();
        // `id` names the record a line updates (see `Line::take_id`).
        let mut shape = Shape(HashMap::from([("id".to_owned(), Kind::Integer)]));
        let root = to_json(&T::schema());
        for (name, property) in properties(&root) {
            let property = resolve(property, &components);
            if property.get("properties").is_some() {
                for (inner, schema) in properties(property) {
                    let kind = kind_of(resolve(schema, &components));
                    shape.0.insert(format!("{name}.{inner}"), kind);
                }
            } else {
                shape.0.insert(name.clone(), kind_of(property));
            }
        }
        shape
    }

    /// The same shape with one more column of the import's own (`client_external_ref`).
    pub fn with(mut self, name: &str, kind: Kind) -> Shape {
        self.0.insert(name.to_owned(), kind);
        self
    }

    /// Whether the import reads `column`.
    fn reads(&self, column: &str) -> bool {
        self.0.contains_key(column)
    }

    fn kind(&self, column: &str) -> Kind {
        self.0.get(column).copied().unwrap_or(Kind::Text)
    }
}

fn to_json(schema: &RefOr<Schema>) -> Value {
    serde_json::to_value(schema).unwrap_or_default()
}

fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// The schema itself, or what it refers to: `{"$ref": …}`, or the one non-null choice of
/// an optional field (`oneOf: [null, {"$ref": …}]`).
fn resolve<'a>(schema: &'a Value, components: &'a HashMap<String, Value>) -> &'a Value {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
    {
        return components.get(name).unwrap_or(schema);
    }
    let choices = schema.get("oneOf").or_else(|| schema.get("anyOf"));
    if let Some(choice) = choices.and_then(Value::as_array).and_then(|choices| {
        choices
            .iter()
            .find(|c| c.get("type") != Some(&"null".into()))
    }) {
        return resolve(choice, components);
    }
    schema
}

fn kind_of(schema: &Value) -> Kind {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer") {
        Kind::Integer
    } else if types.contains(&"boolean") {
        Kind::Boolean
    } else {
        Kind::Text
    }
}

/// One line of the body: its number in the file (the header is line 1 of a CSV) and its
/// fields.
#[derive(Debug)]
pub struct Line {
    pub number: u64,
    pub fields: Map<String, Value>,
}

/// A line that could not be read at all.
pub type Unreadable = (u64, FieldError);

/// The lines of a body, read one after another (on a thread of their own, see
/// [`super::run`]).
pub type Lines<'a> = Box<dyn Iterator<Item = Result<Line, Unreadable>> + Send + 'a>;

/// The lines of `body`, one after another; only the one being read is held in memory
/// besides the body.
pub fn read<'a>(format: Format, body: &'a [u8], shape: &'a Shape) -> Result<Lines<'a>, ApiError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match format {
        Format::Csv => csv_lines(body, shape),
        Format::Ndjson => Ok(Box::new(ndjson_lines(body))),
    }
}

fn csv_lines<'a>(body: &'a [u8], shape: &'a Shape) -> Result<Lines<'a>, ApiError> {
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let mut records = reader.into_byte_records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => return Err(ApiError::BadRequest(format!("the CSV header row: {e}"))),
        None => {
            return Err(ApiError::BadRequest(
                "the body is empty; expected a CSV header row naming the columns".into(),
            ))
        }
    };
    let columns: Vec<String> = header
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim().to_owned())
        .collect();
    if let Some(blank) = columns.iter().position(String::is_empty) {
        return Err(ApiError::BadRequest(format!(
            "column {} of the CSV header row has no name",
            blank + 1
        )));
    }
    if let Some(twice) = columns
        .iter()
        .enumerate()
        .find(|(i, name)| columns[..*i].contains(name))
    {
        return Err(ApiError::BadRequest(format!(
            "the CSV header row names the column {:?} twice",
            twice.1
        )));
    }
    // A header of which the import reads nothing is not the file meant, whether or not
    // lines follow: every line would be empty.
    if !columns.iter().any(|column| shape.reads(column)) {
        return Err(ApiError::BadRequest(format!(
            "the CSV header row names no column this import reads (it names {})",
            columns
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(Box::new(records.map(move |record| {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            (line, row_error(&e.to_string()))
        })?;
        let number = record.position().map_or(0, |p| p.line());
        let mut fields = Map::new();
        for (column, raw) in columns.iter().zip(record.iter()) {
            let text = std::str::from_utf8(raw).map_err(|_| {
                let message = "is not UTF-8 text";
                (number, FieldError::new(column, ErrorCode::Type, message))
            })?;
            put(&mut fields, column, cell(text, shape.kind(column)));
        }
        Ok(Line { number, fields })
    })))
}

/// A whole line that cannot be read (a row of another length than the header).
fn row_error(message: &str) -> FieldError {
    let message = match message.find("found record with") {
        Some(at) => format!("has {}", &message[at + "found record with ".len()..]),
        None => message.to_owned(),
    };
    FieldError::new("", ErrorCode::Invalid, message)
}

fn cell(text: &str, kind: Kind) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    let typed = match kind {
        Kind::Integer => text
            .trim()
            .parse::<i64>()
            .ok()
            .map(Number::from)
            .map(Value::Number),
        Kind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Kind::Text => None,
    };
    // A cell that is not of its column's type stays text, for the body's own parse to
    // refuse in the words it uses for JSON.
    typed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// Puts `value` at `column`: `a.b` into the object `a` (which stays `null` while every
/// one of its cells is empty).
fn put(fields: &mut Map<String, Value>, column: &str, value: Value) {
    match column.split_once('.') {
        Some((outer, inner)) => {
            let slot = fields.entry(outer.to_owned()).or_insert(Value::Null);
            if value.is_null() {
                return;
            }
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(object) = slot {
                object.insert(inner.to_owned(), value);
            }
        }
        None => {
            fields.insert(column.to_owned(), value);
        }
    }
}

fn ndjson_lines(body: &[u8]) -> impl Iterator<Item = Result<Line, Unreadable>> + '_ {
    body.split(|b| *b == b'\n')
        .enumerate()
        .map(|(index, line)| (index as u64 + 1, line))
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(
            |(number, line)| match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(fields)) => Ok(Line { number, fields }),
                Ok(_) => Err((
                    number,
                    FieldError::new("", ErrorCode::Type, "must be a JSON object"),
                )),
                Err(e) => Err((
                    number,
                    FieldError::new("", ErrorCode::Invalid, format!("is not valid JSON: {e}")),
                )),
            },
        )
}
