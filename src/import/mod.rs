//! Bulk import, `POST /imports/{resource}`, written once for every resource that has one:
//! the body (CSV or NDJSON, up to `SUITS_IMPORT_MAX_BYTES`), its lines read as the JSON
//! bodies a single-record request would send and checked by the same `Validate` impls,
//! the per-line errors (capped, with the total), the counts, and the one transaction that
//! makes an import all or nothing (rolled back on the first bad line, or on a dry run).
//!
//! A resource supplies an [`Importer`] (its `import.rs`): how a batch of checked lines is
//! matched against stored records, within the caller's scope, and written with its audit
//! events — the same rules as its single-record operations, in batches.

mod body;
pub mod lines;

use std::sync::mpsc::{sync_channel, SyncSender};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, IntoResponses, ToSchema};
use validator::Validate;

use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::rest::body::checked_ref;

pub use body::{Format, ImportBody, CSV, NDJSON};
pub use lines::{Kind, Line, Lines, Shape};

/// Lines handed to an [`Importer`] at a time: enough that each batch's lookups and
/// inserts are few, bounded so that one batch's statements stay well under the databases'
/// parameter limits (SQLite 32766, PostgreSQL 65535).
pub const BATCH: usize = 1000;

/// Per-line errors listed in the answer; the count says how many there were in all.
pub const MAX_ERRORS: usize = 100;

/// Columns an export writes that an import reads past: they belong to the stored record
/// and change with every write (`id` is read by [`Line::take_id`]).
const READ_ONLY: &[&str] = &["version", "created_at", "updated_at", "allowed_actions"];

/// `?dry_run=true`: check every line, write nothing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: every line is checked as the import would write it, and nothing is
    /// written (no record, no audit event); the answer says what would have been done.
    pub dry_run: Option<bool>,
}

/// What an import did (or, on a dry run, would have done).
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"dry_run": false, "lines": 3, "created": 1, "updated": 1, "unchanged": 1}))]
pub struct ImportReport {
    pub dry_run: bool,
    /// Lines read (a CSV's header row not counted).
    pub lines: u64,
    pub created: u64,
    pub updated: u64,
    /// Lines that matched a record already as given.
    pub unchanged: u64,
}

/// What every import answers, beyond the problems every operation shares: its
/// operations name it in `responses(...)`.
#[derive(IntoResponses)]
pub enum ImportResponses {
    /// Imported (or, on a dry run, checked): what was done
    #[response(status = 200)]
    Imported(ImportReport),
    /// The body is larger than `SUITS_IMPORT_MAX_BYTES`
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is neither `text/csv` nor `application/x-ndjson`
    #[response(status = 415, content_type = "application/problem+json")]
    NotCsv(Problem),
    /// Nothing was imported: the errors, each with its line
    #[response(status = 422, content_type = "application/problem+json")]
    Rejected(Problem),
}

/// Errors and counts of an import in progress.
#[derive(Debug, Default)]
pub struct Tally {
    report: ImportReport,
    errors: Vec<FieldError>,
    total_errors: usize,
}

impl Tally {
    /// No error so far: batches are still written.
    pub fn clean(&self) -> bool {
        self.total_errors == 0
    }

    /// An error on `field` of line `line`.
    pub fn error(&mut self, line: u64, field: &str, code: ErrorCode, message: impl Into<String>) {
        self.push(line, FieldError::new(field, code, message));
    }

    fn push(&mut self, line: u64, error: FieldError) {
        self.total_errors += 1;
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(FieldError {
                line: Some(line),
                ..error
            });
        }
    }

    /// Every error of `e` (a single record's refusal) on line `line`.
    pub fn refused(&mut self, line: u64, e: ApiError) -> Result<(), ApiError> {
        match e {
            ApiError::Validation(errors) | ApiError::Conflict { errors, .. }
                if !errors.is_empty() =>
            {
                for error in errors {
                    self.push(line, error);
                }
                Ok(())
            }
            ApiError::Conflict { detail, .. } => {
                self.error(line, "", ErrorCode::Invalid, detail);
                Ok(())
            }
            ApiError::Denied(detail) => {
                self.error(line, "", ErrorCode::Forbidden, detail);
                Ok(())
            }
            other => Err(other),
        }
    }

    /// What another part of the import counted and found: reading and checking a batch,
    /// or writing one.
    pub fn absorb(&mut self, other: Tally) {
        self.report.lines += other.report.lines;
        self.report.created += other.report.created;
        self.report.updated += other.report.updated;
        self.report.unchanged += other.report.unchanged;
        self.total_errors += other.total_errors;
        let room = MAX_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(other.errors.into_iter().take(room));
    }

    /// What a line's single-record create answered: counted, or its refusal as the
    /// line's errors.
    pub fn create<T>(&mut self, line: u64, answer: Result<T, ApiError>) -> Result<(), ApiError> {
        match answer {
            Ok(_) => {
                self.created(1);
                Ok(())
            }
            Err(e) => self.refused(line, e),
        }
    }

    pub fn created(&mut self, n: usize) {
        self.report.created += n as u64;
    }

    pub fn updated(&mut self) {
        self.report.updated += 1;
    }

    pub fn unchanged(&mut self) {
        self.report.unchanged += 1;
    }
}

impl Line {
    /// The `id` column, which names the record a line updates; read past the body.
    pub fn take_id(&mut self, tally: &mut Tally) -> Option<i64> {
        match self.fields.remove("id") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(_) => {
                tally.error(self.number, "id", ErrorCode::Type, "must be a whole number");
                None
            }
        }
    }

    /// A text column of the import's own (not of the create body), taken out.
    pub fn take_text(&mut self, name: &str, tally: &mut Tally) -> Option<String> {
        match self.fields.remove(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                tally.error(self.number, name, ErrorCode::Type, "must be a string");
                None
            }
        }
    }

    /// Resolves a reference column of the import's own (`client_external_ref`) into the
    /// create body's id field it stands for (`client_id`): `look_up` gives the id of the
    /// record the reference names, if the caller reaches it (out of reach reads exactly as
    /// missing). `false`, with the error, when it names none, or another record than the
    /// id field the line also gives; `true` when the line has no such column.
    pub fn resolve(
        &mut self,
        reference: Reference,
        tally: &mut Tally,
        look_up: impl FnOnce(&str) -> diesel::QueryResult<Option<i64>>,
    ) -> diesel::QueryResult<bool> {
        let Reference {
            column,
            field,
            noun,
        } = reference;
        let Some(text) = self.take_text(column, tally) else {
            return Ok(true);
        };
        let Some(id) = look_up(&text)? else {
            let message = format!("there is no {noun} with external_ref {text:?}");
            tally.error(self.number, column, ErrorCode::Unknown, message);
            return Ok(false);
        };
        Ok(match self.fields.get(field) {
            None | Some(Value::Null) => {
                self.fields.insert(field.into(), Value::from(id));
                true
            }
            Some(given) if given.as_i64() == Some(id) => true,
            Some(_) => {
                let message = format!("names another {noun} than {column}");
                tally.error(self.number, field, ErrorCode::Invalid, message);
                false
            }
        })
    }

    /// Whether the line gives `field` at all (a CSV column, a JSON member): a field it
    /// leaves out stays as it is on an update.
    pub fn gives(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The line as the body `T` of a single-record create, checked exactly as that body
    /// is; its errors go to the tally. The columns an export writes of a stored record
    /// are dropped from the line first.
    pub fn checked<T: serde::de::DeserializeOwned + Validate>(
        &mut self,
        tally: &mut Tally,
    ) -> Option<T> {
        for name in READ_ONLY {
            self.fields.remove(*name);
        }
        // Read from the line in place rather than from a copy of it.
        let value = Value::Object(std::mem::take(&mut self.fields));
        let checked = checked_ref::<T>(&value);
        if let Value::Object(fields) = value {
            self.fields = fields;
        }
        match checked {
            Ok(value) => Some(value),
            Err(ApiError::Validation(errors)) => {
                for error in errors {
                    tally.push(self.number, error);
                }
                None
            }
            Err(e) => {
                tally.error(self.number, "", ErrorCode::Invalid, e.to_string());
                None
            }
        }
    }
}

/// A column of an import's own that names a record by its `external_ref`, in place of
/// the create body's id field.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// The column, `client_external_ref`.
    pub column: &'static str,
    /// The body's field it stands for, `client_id`.
    pub field: &'static str,
    /// What it names, for messages: `client`.
    pub noun: &'static str,
}

impl Reference {
    pub const CLIENT: Reference = Reference {
        column: "client_external_ref",
        field: "client_id",
        noun: "client",
    };
    pub const ACCOUNT: Reference = Reference {
        column: "account_external_ref",
        field: "account_id",
        noun: "account",
    };
}

/// What earlier lines of the file gave (names, references, records updated): two lines
/// that would clash with each other are errors, as they would be one after another.
pub struct Seen<K>(std::collections::HashMap<K, u64>);

impl<K> Default for Seen<K> {
    fn default() -> Self {
        Seen(std::collections::HashMap::new())
    }
}

impl<K: std::hash::Hash + Eq> Seen<K> {
    /// The line that gave `key` before `line`; otherwise `line` is remembered for it.
    pub fn earlier(&mut self, key: K, line: u64) -> Option<u64> {
        match self.0.get(&key) {
            Some(first) if *first != line => Some(*first),
            Some(_) => None,
            None => {
                self.0.insert(key, line);
                None
            }
        }
    }
}

impl Seen<String> {
    /// Whether an earlier line gave `external_ref` too; then `line` is an error (`unique`).
    pub fn repeats_ref(
        &mut self,
        external_ref: Option<&str>,
        line: u64,
        tally: &mut Tally,
    ) -> bool {
        let Some(first) = external_ref.and_then(|r| self.earlier(r.to_owned(), line)) else {
            return false;
        };
        let message = format!("line {first} has the same external_ref");
        tally.error(line, "external_ref", ErrorCode::Unique, message);
        true
    }
}

/// How a line names a stored record.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Id(i64),
    ExternalRef(&'a str),
}

/// What a line is about among the stored records.
pub enum Stored<R> {
    /// The record it names.
    Found(R),
    /// None: the line creates one.
    New,
    /// Its `id` names none within reach: an error on the line, which goes no further.
    Unknown,
}

impl Tally {
    /// The stored record line `line` is about: the one its `id` names, which must be
    /// within reach (`unknown` otherwise); without an id, the one its `external_ref`
    /// names, if one within reach has it. `look_up` finds either within the caller's
    /// reach (a repo's `by_key`).
    pub fn stored<R>(
        &mut self,
        line: u64,
        noun: &str,
        id: Option<i64>,
        external_ref: Option<&str>,
        look_up: impl FnOnce(Key) -> diesel::QueryResult<Option<R>>,
    ) -> diesel::QueryResult<Stored<R>> {
        let key = match (id, external_ref) {
            (Some(id), _) => Key::Id(id),
            (None, Some(reference)) => Key::ExternalRef(reference),
            (None, None) => return Ok(Stored::New),
        };
        Ok(match (look_up(key)?, key) {
            (Some(record), _) => Stored::Found(record),
            (None, Key::ExternalRef(_)) => Stored::New,
            (None, Key::Id(id)) => {
                self.error(
                    line,
                    "id",
                    ErrorCode::Unknown,
                    format!("{noun} {id} not found"),
                );
                Stored::Unknown
            }
        })
    }
}

/// An import whose lines each go through their single-record operation, one at a time
/// (wrapped in [`OneByOne`] to be run): for records with few rows and many rules.
pub trait LineByLine {
    fn shape() -> Shape;
    /// One line: checked, matched and written (errors to `tally`).
    fn line(&mut self, conn: &mut DbConn, line: Line, tally: &mut Tally) -> Result<(), ApiError>;
}

/// A [`LineByLine`] import as an [`Importer`]: its lines pass unchecked to the batch,
/// where each is checked once the records it names are looked up.
pub struct OneByOne<T>(pub T);

impl<T: LineByLine> Importer for OneByOne<T> {
    type Checked = Line;

    fn shape() -> Shape {
        T::shape()
    }

    fn check(line: Line, _: &mut Tally) -> Option<Line> {
        Some(line)
    }

    fn batch(
        &mut self,
        conn: &mut DbConn,
        lines: Vec<Line>,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        for line in lines {
            // Later lines are still checked once one fails; nothing is committed then.
            self.0.line(conn, line, tally)?;
        }
        Ok(())
    }
}

/// A resource's part of an import.
pub trait Importer {
    /// A line as far as it can be checked on its own, with no lookup.
    type Checked: Send;
    /// How CSV cells are typed: the create body's schema, and any column of the import's own.
    fn shape() -> Shape;
    /// One line checked on its own (errors to `tally`). Called on a thread of its own, a
    /// batch ahead of [`batch`](Self::batch), so that reading and checking the file goes
    /// on while the database writes: a resource whose checks need lookups passes the
    /// line on as it is.
    fn check(line: Line, tally: &mut Tally) -> Option<Self::Checked>;
    /// One batch of checked lines, in file order: each matched (errors to `tally`), and —
    /// while `tally` is clean — written with its audit events.
    fn batch(
        &mut self,
        conn: &mut DbConn,
        lines: Vec<Self::Checked>,
        tally: &mut Tally,
    ) -> Result<(), ApiError>;
    /// After the last batch: whatever a batch left to write (see [`overlap`]).
    fn finish(&mut self, _conn: &mut DbConn, _tally: &mut Tally) -> Result<(), ApiError> {
        Ok(())
    }
}

/// Runs `write` on the import's connection, on a thread of its own, while `work` runs on
/// this one: how an importer has one batch written while it matches the next, so that
/// neither the database nor the service waits for the other. What `write` does is not
/// seen by lookups made before it, which the importer's own record of earlier lines
/// ([`Seen`]) stands in for.
pub fn overlap<W: Send, R>(
    conn: &mut DbConn,
    write: impl FnOnce(&mut DbConn) -> W + Send,
    work: impl FnOnce() -> R,
) -> (W, R) {
    std::thread::scope(|threads| {
        let writing = threads.spawn(move || write(conn));
        let done = work();
        match writing.join() {
            Ok(written) => (written, done),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// A batch of lines as read and checked on their own, with what that found wrong.
struct Checked<C> {
    lines: Vec<C>,
    tally: Tally,
}

/// Reads `lines` and checks each by `I::check`, handing them on a batch at a time until
/// the file ends or nobody takes them any more (the import has failed).
fn read_ahead<I: Importer>(lines: Lines<'_>, to: SyncSender<Checked<I::Checked>>) {
    let mut batch = Checked {
        lines: Vec::with_capacity(BATCH),
        tally: Tally::default(),
    };
    for line in lines {
        batch.tally.report.lines += 1;
        match line {
            Ok(line) => batch.lines.extend(I::check(line, &mut batch.tally)),
            Err((number, error)) => batch.tally.push(number, error),
        }
        // A batch is as many lines read, so that unreadable ones cannot make it grow.
        if batch.tally.report.lines % BATCH as u64 == 0 {
            let next = Checked {
                lines: Vec::with_capacity(BATCH),
                tally: Tally::default(),
            };
            if to.send(std::mem::replace(&mut batch, next)).is_err() {
                return;
            }
        }
    }
    let _ = to.send(batch);
}

/// Why the transaction ends without a commit.
enum Rollback {
    Failed(ApiError),
    Rejected(Tally),
    DryRun(Tally),
}

impl From<ApiError> for Rollback {
    fn from(e: ApiError) -> Self {
        Rollback::Failed(e)
    }
}

impl From<diesel::result::Error> for Rollback {
    fn from(e: diesel::result::Error) -> Self {
        Rollback::Failed(e.into())
    }
}

/// The whole import, in one transaction: every line read, checked on its own and handed
/// to `importer` in batches; committed only if every line passed and this is no dry run.
///
/// The file is read and its lines checked on a second thread, one batch ahead, while this
/// one matches and writes the last batch: the two halves of the work overlap instead of
/// each waiting for the other. The queue between them holds one batch, so memory stays
/// bounded whatever the file's length.
pub fn run<I: Importer>(
    conn: &mut DbConn,
    body: &ImportBody,
    mut importer: I,
) -> Result<ImportReport, ApiError> {
    let dry_run = body.dry_run;
    let shape = I::shape();
    let lines = body.lines(&shape)?;
    let outcome = std::thread::scope(|threads| {
        let (to, checked) = sync_channel(1);
        threads.spawn(move || read_ahead::<I>(lines, to));
        let outcome = db::write_tx(conn, |conn| {
            db::prefer_index_lookups(conn)?;
            let mut tally = Tally::default();
            tally.report.dry_run = dry_run;
            for batch in checked.iter() {
                tally.absorb(batch.tally);
                importer.batch(conn, batch.lines, &mut tally)?;
            }
            importer.finish(conn, &mut tally)?;
            match (tally.clean(), dry_run) {
                (false, _) => Err(Rollback::Rejected(tally)),
                (true, true) => Err(Rollback::DryRun(tally)),
                (true, false) => Ok(tally.report),
            }
        });
        // An import that failed midway stops the reading: its next batch finds no taker.
        drop(checked);
        outcome
    });
    match outcome {
        Ok(report) => Ok(report),
        Err(Rollback::DryRun(tally)) => Ok(tally.report),
        Err(Rollback::Rejected(mut tally)) => Err(ApiError::ImportRejected {
            // A batch finds some errors before others; they are listed in line order.
            errors: {
                tally.errors.sort_by_key(|e| e.line);
                tally.errors
            },
            total: tally.total_errors,
        }),
        Err(Rollback::Failed(e)) => Err(e),
    }
}
