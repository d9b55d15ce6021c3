//! What an import found and did so far (`Tally`: the capped line errors, the counts),
//! and what its lines are checked against: the earlier lines (`Seen`) and the stored
//! records they name (`Tally::stored`).

use super::{ImportReport, MAX_ERRORS};
use crate::error::{ApiError, ErrorCode, FieldError};

/// Errors and counts of an import in progress.
#[derive(Debug, Default)]
pub struct Tally {
    pub(super) report: ImportReport,
    pub(super) errors: Vec<FieldError>,
    pub(super) total_errors: usize,
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

    pub(super) fn push(&mut self, line: u64, error: FieldError) {
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
