//! The kinds of database failure, as the metrics count them and the problem words them.

use diesel::result::DatabaseErrorKind;

/// What kind of database failure an error was, as counted in `suits_db_errors_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFailure {
    /// The database could not be reached, or a connection was lost or closed mid-request.
    Unavailable,
    /// Something waited too long: for a free connection while the database answered (the
    /// pool was exhausted), or inside the database (SQLite's busy timeout, a PostgreSQL
    /// statement or lock timeout).
    Timeout,
    /// Any other database error.
    Other,
}

impl DbFailure {
    /// Every kind, in the order declared (`kind as usize` indexes it).
    pub const ALL: [DbFailure; 3] = [DbFailure::Unavailable, DbFailure::Timeout, DbFailure::Other];

    /// The `kind` label.
    pub fn label(self) -> &'static str {
        match self {
            DbFailure::Unavailable => "unavailable",
            DbFailure::Timeout => "timeout",
            DbFailure::Other => "other",
        }
    }

    pub(super) fn detail(self) -> &'static str {
        match self {
            DbFailure::Unavailable => "the service is temporarily unavailable",
            DbFailure::Timeout | DbFailure::Other => "an internal error occurred",
        }
    }

    /// The kind of a database error that is neither a missing row nor a conflict. Neither
    /// backend gives diesel a code for a timeout; their messages are stable: SQLite's for
    /// `SQLITE_BUSY`/`SQLITE_LOCKED` once the busy timeout is spent, PostgreSQL's for a
    /// statement or lock timeout (SQLSTATE 57014, 55P03).
    pub(super) fn of(kind: &DatabaseErrorKind, message: &str) -> Self {
        match kind {
            DatabaseErrorKind::ClosedConnection => DbFailure::Unavailable,
            _ if message.contains("database is locked")
                || message.contains("database table is locked")
                || message.starts_with("canceling statement due to")
                || message.starts_with("could not obtain lock") =>
            {
                DbFailure::Timeout
            }
            _ => DbFailure::Other,
        }
    }
}
