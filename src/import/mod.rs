//! Bulk import, `POST /imports/{resource}`, written once for every resource that has one:
//! the body (CSV or NDJSON, up to `SUITS_IMPORT_MAX_BYTES`), its lines read as the JSON
//! bodies a single-record request would send and checked by the same `Validate` impls,
//! the per-line errors (capped, with the total), the counts, and the one transaction that
//! makes an import all or nothing (rolled back on the first bad line, or on a dry run).
//!
//! A resource supplies an [`Importer`] (its `import.rs`): how a line is checked on its own,
//! and how a batch of checked lines is matched against stored records, within the
//! caller's scope, and written with its audit events — the same rules as its
//! single-record operations, in batches. A resource whose lines go one at a time through
//! its single-record operations supplies a [`LineByLine`] instead. `tally.rs` holds what
//! an import found and counted and what it checks lines against; `line.rs` how a line's
//! columns are read.

mod body;
mod line;
pub mod lines;
mod tally;

use std::sync::mpsc::{sync_channel, SyncSender};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, IntoResponses, ToSchema};

use crate::db::{self, DbConn};
use crate::error::{ApiError, Problem};

pub use body::{Format, ImportBody, CSV, NDJSON};
pub use line::Reference;
pub use lines::{Kind, Line, Lines, Shape};
pub use tally::{Key, Seen, Stored, Tally};

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
