//! Who holds what, as stored: the grants of roles and the people holding them. Shared by
//! the extractors, the roles and staff resources and the first start, so that none of
//! them reaches into another's code.

use diesel::prelude::*;

use super::permissions::{beyond, describe};
use super::{Caller, Grant, Permission, Scope};
use crate::db::schema::{role_permissions, roles, staff};
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode, FieldError};

/// The grants of role `key`, in permission order.
pub fn of_role(conn: &mut DbConn, key: &str) -> QueryResult<Vec<Grant>> {
    let rows: Vec<(String, String)> = role_permissions::table
        .filter(role_permissions::role_key.eq(key))
        .select((role_permissions::permission, role_permissions::scope))
        .load(conn)?;
    Ok(sorted(rows.iter().map(|(p, s)| (p.as_str(), s.as_str()))))
}

/// Stored `(permission, scope)` pairs as grants, in permission order; pairs this build
/// does not know are left out.
pub fn sorted<'a>(stored: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Grant> {
    let mut grants: Vec<Grant> = stored
        .filter_map(|(permission, scope)| Grant::from_stored(permission, scope))
        .collect();
    grants.sort_by_key(|g| g.permission);
    grants
}

pub fn role_exists(conn: &mut DbConn, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(roles::table.find(key))).get_result(conn)
}

/// Whether staff member `staff_id` is active (`None` if not, or unknown) and, if so, the
/// scope in which their role grants `permission` (`Some(None)`: it does not).
pub fn held_by_active(
    conn: &mut DbConn,
    staff_id: i64,
    permission: Permission,
) -> QueryResult<Option<Option<Scope>>> {
    let role: Option<String> = staff::table
        .find(staff_id)
        .filter(staff::active.eq(true))
        .select(staff::role)
        .first(conn)
        .optional()?;
    let Some(role) = role else {
        return Ok(None);
    };
    let scope: Option<String> = role_permissions::table
        .filter(role_permissions::role_key.eq(role))
        .filter(role_permissions::permission.eq(permission.key()))
        .select(role_permissions::scope)
        .first(conn)
        .optional()?;
    Ok(Some(scope.as_deref().and_then(Scope::parse)))
}

/// How many active staff members hold `permission` with scope `all`: the guard that keeps
/// an installation from locking itself out of role and staff administration.
pub fn active_holders(conn: &mut DbConn, permission: Permission) -> QueryResult<i64> {
    staff::table
        .inner_join(role_permissions::table.on(role_permissions::role_key.eq(staff::role)))
        .filter(staff::active.eq(true))
        .filter(role_permissions::permission.eq(permission.key()))
        .filter(role_permissions::scope.eq(Scope::All.as_str()))
        .count()
        .get_result(conn)
}

/// Refuses a change that would leave no active staff member able to manage roles or
/// staff: nobody could undo it through the API. Runs inside the change's transaction;
/// `field` is the part of the request that made the change (`role`, `active`, …).
pub fn ensure_administrable(conn: &mut DbConn, field: &str) -> Result<(), ApiError> {
    for permission in [Permission::RolesWrite, Permission::StaffWrite] {
        if active_holders(conn, permission)? == 0 {
            let detail = format!(
                "the change would leave no active staff member holding {permission} with scope all"
            );
            return Err(ApiError::Conflict {
                errors: vec![FieldError::new(
                    field,
                    ErrorCode::LastAdministrator,
                    detail.clone(),
                )],
                detail,
            });
        }
    }
    Ok(())
}

/// 422 unless role `role` exists.
pub fn ensure_role(conn: &mut DbConn, role: &str) -> Result<(), ApiError> {
    if role_exists(conn, role)? {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "role",
            ErrorCode::Unknown,
            format!("there is no role {role:?}; see GET /api/v1/roles"),
        ))
    }
}

/// The rule that keeps `staff.write` from leading to every other permission: nobody
/// changes their own role, and nobody gives a role, to anyone, whose grants reach beyond
/// their own (a permission they lack, or a wider scope than theirs). `target` is the staff
/// member receiving the role, `None` for a new one. The role must exist.
pub fn ensure_may_give(
    conn: &mut DbConn,
    giver: &Caller,
    target: Option<i64>,
    role: &str,
) -> Result<(), ApiError> {
    if target == Some(giver.staff_id) {
        return Err(ApiError::Denied(
            "nobody may change their own role; another staff member holding staff.write must do it"
                .into(),
        ));
    }
    let excess = beyond(&giver.grants, &of_role(conn, role)?);
    if excess.is_empty() {
        return Ok(());
    }
    Err(ApiError::Denied(format!(
        "nobody may give a role whose grants exceed their own: role {role:?} holds {}, \
         beyond what you hold",
        describe(&excess)
    )))
}

/// The checks on a change of a staff member's (or service account's) role or active state,
/// from `before` to `after` (each `(role, active)`): the caller must hold what the member
/// holds now to change either, and may give only an existing role within their own grants.
pub fn ensure_may_reassign(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    before: (&str, bool),
    after: (&str, bool),
) -> Result<(), ApiError> {
    if after != before {
        ensure_may_manage(conn, caller, before.0)?;
    }
    if after.0 != before.0 {
        ensure_role(conn, after.0)?;
        ensure_may_give(conn, caller, Some(id), after.0)?;
    }
    Ok(())
}

/// Taking a role away, or deactivating, is for those who hold at least what the staff
/// member holds: a director (staff.write, no roles.write) may not demote or lock out an
/// admin, as they may not make one.
pub fn ensure_may_manage(
    conn: &mut DbConn,
    caller: &Caller,
    current_role: &str,
) -> Result<(), ApiError> {
    let excess = beyond(&caller.grants, &of_role(conn, current_role)?);
    if excess.is_empty() {
        return Ok(());
    }
    Err(ApiError::Denied(format!(
        "nobody may change the role or the active state of a staff member whose role \
         exceeds their own: role {current_role:?} holds {}, beyond what you hold",
        describe(&excess)
    )))
}
