//! Staff operations.

use super::dto::{Staff, StaffCreate, StaffKind, StaffUpdate};
use super::repo::{self, NewStaff, StaffChanges};
use crate::audit::{self, Actor, Subject};
use crate::auth::grants::{self, ensure_may_give, ensure_role};
use crate::auth::{password, refresh, Caller};
use crate::db::{self, DbConn, RowKey};
use crate::error::{ApiError, ErrorCode};
use crate::rest::body::merge;
use crate::rest::record::IfMatch;
use crate::time::now;
use crate::versioned;

pub const RESOURCE: &str = "staff";

/// Longest reporting chain followed when looking for a cycle; deeper is a data problem.
const MAX_CHAIN: usize = 1000;

pub fn get(conn: &mut DbConn, id: i64) -> Result<Staff, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found(&what(id)))
}

fn what(id: i64) -> String {
    format!("staff member {id}")
}

/// `manager` must exist and must not be `id` itself or anyone reporting (indirectly) to it.
fn ensure_manager(conn: &mut DbConn, id: Option<i64>, manager: i64) -> Result<(), ApiError> {
    let invalid = |message: String| ApiError::invalid("reports_to", ErrorCode::Invalid, message);
    if repo::find(conn, manager)?.is_none() {
        return Err(invalid(format!("there is no staff member {manager}")));
    }
    let Some(id) = id else { return Ok(()) };
    let mut current = Some(manager);
    for _ in 0..MAX_CHAIN {
        match current {
            None => return Ok(()),
            Some(next) if next == id => {
                return Err(invalid(format!(
                    "staff member {id} cannot report to {manager}: the reporting line would form a cycle"
                )))
            }
            Some(next) => current = repo::manager_of(conn, next)?,
        }
    }
    Err(invalid(format!(
        "the reporting line above {manager} is longer than {MAX_CHAIN}"
    )))
}

/// Inserts a staff member with an already-checked password; shared by the API, the CLI
/// and the first-start admin. `giver` is the staff member giving the role through the API
/// (`None` for the system itself), held to [`ensure_may_give`].
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    giver: Option<&Caller>,
    email: &str,
    full_name: &str,
    role: &str,
    reports_to: Option<i64>,
    password: &str,
) -> Result<Staff, ApiError> {
    let email = email.trim().to_lowercase();
    let hash = password::hash(password)
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))?;
    db::write_tx(conn, |conn| {
        ensure_role(conn, role)?;
        if let Some(giver) = giver {
            ensure_may_give(conn, giver, None, role)?;
        }
        if let Some(manager) = reports_to {
            ensure_manager(conn, None, manager)?;
        }
        // The insert is the check, as for roles: concurrent creates race past any check.
        let staff = repo::insert(
            conn,
            &NewStaff {
                email: &email,
                full_name: full_name.trim(),
                role,
                reports_to,
                password_hash: &hash,
                active: true,
                kind: StaffKind::Person.as_str(),
            },
            now(),
        )
        .map_err(|e| {
            let taken = format!("a staff member with email {email:?} already exists");
            ApiError::from_unique_index(e, &[("email", "email", &taken)])
        })?;
        audit::created(conn, actor, Subject::new(RESOURCE, staff.id), &staff)?;
        Ok(staff)
    })
}

/// A staff member created through the API, by `caller`.
pub fn create(conn: &mut DbConn, caller: &Caller, input: StaffCreate) -> Result<Staff, ApiError> {
    insert(
        conn,
        &Actor::from(caller),
        Some(caller),
        &input.email,
        &input.full_name,
        &input.role,
        input.reports_to,
        &input.password,
    )
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    if_match: &IfMatch,
    patch: StaffUpdate,
) -> Result<Staff, ApiError> {
    db::write_tx(conn, |conn| {
        let before =
            versioned::find_for_change(conn, "staff", RowKey::Id(id), &what(id), |conn| {
                repo::find(conn, id)
            })?;
        let mut after = before.clone();
        merge(&mut after.full_name, &patch.full_name);
        after.full_name = after.full_name.trim().to_owned();
        merge(&mut after.role, &patch.role);
        merge(&mut after.active, &patch.active);
        merge(&mut after.reports_to, &patch.reports_to);
        // The request's own faults (422, 403) come before the record's state (412).
        grants::ensure_may_reassign(
            conn,
            caller,
            id,
            (&before.role, before.active),
            (&after.role, after.active),
        )?;
        if let Some(manager) = after.reports_to.filter(|m| Some(*m) != before.reports_to) {
            ensure_manager(conn, Some(id), manager)?;
        }
        if_match.check(before.version)?;
        if after == before {
            return Ok(before);
        }
        let changes = StaffChanges {
            full_name: &after.full_name,
            role: &after.role,
            active: after.active,
            reports_to: after.reports_to,
        };
        let updated = versioned::written(
            &what(id),
            repo::update(conn, id, before.version, &changes, now())?,
        )?;
        let field = if after.role != before.role {
            "role"
        } else {
            "active"
        };
        grants::ensure_administrable(conn, field)?;
        if before.active && !updated.active {
            // Access tokens already fail on the next request (the staff row is read each
            // time); the sessions that would mint new ones end here.
            refresh::revoke_all(conn, id)?;
        }
        audit::write(
            conn,
            &Actor::from(caller),
            "update",
            Subject::new(RESOURCE, id),
            Some(&before),
            Some(&updated),
        )?;
        Ok(updated)
    })
}
