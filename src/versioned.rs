//! The steps every change of a versioned record takes, written once: read it for the
//! change (locked, within the caller's scope), check `If-Match`, write it only at the
//! version read, and delete it unless other records still refer to it.
//!
//! In the order statuses must come: a record out of scope is 404 before anything else is
//! said about it; a service runs its own checks on the request (422) before
//! [`IfMatch::check`] (412); a lost race is 412 and a delete that others block is 409.

use crate::db::{self, DbConn, RowKey};
use crate::error::{ApiError, ErrorCode, FieldError};

/// Locks the record's row until the transaction ends, so that a read-check-write cannot
/// lose a race on PostgreSQL, then reads it with `find` (which filters by the caller's
/// visibility): a missing or out-of-scope record is the same 404.
pub fn find_for_change<T>(
    conn: &mut DbConn,
    table: &'static str,
    key: RowKey,
    what: &str,
    find: impl FnOnce(&mut DbConn) -> diesel::QueryResult<Option<T>>,
) -> Result<T, ApiError> {
    db::lock_row(conn, table, key)?;
    find(conn)?.ok_or_else(|| ApiError::not_found(what))
}

/// The outcome of a conditional write (`… WHERE id = ? AND version = ?`): nothing written
/// means another request changed the record first.
pub fn written<R>(what: &str, outcome: Option<R>) -> Result<R, ApiError> {
    outcome.ok_or_else(|| changed_concurrently(what))
}

/// The outcome of a conditional delete. A foreign key still pointing at the record is a
/// 409 (code `in_use`) whose detail ends with `blocked`: why, and what to do instead; no
/// row at the version read is a 412, as for [`written`].
pub fn deleted(
    what: &str,
    outcome: diesel::QueryResult<bool>,
    blocked: &str,
) -> Result<(), ApiError> {
    match outcome {
        Ok(true) => Ok(()),
        Ok(false) => Err(changed_concurrently(what)),
        Err(e) => match ApiError::from(e) {
            ApiError::Conflict { .. } => {
                let detail = format!("{what} cannot be deleted {blocked}");
                Err(ApiError::Conflict {
                    errors: vec![FieldError::new("id", ErrorCode::InUse, detail.clone())],
                    detail,
                })
            }
            other => Err(other),
        },
    }
}

fn changed_concurrently(what: &str) -> ApiError {
    ApiError::PreconditionFailed(format!(
        "{what} was changed concurrently; fetch it again and retry"
    ))
}
