//! Who holds what, as stored: the grants of roles and the people holding them. Shared by
//! the extractors, the roles and staff resources and the first start, so that none of
//! them reaches into another's code.

use diesel::prelude::*;

use super::{Grant, Permission, Scope};
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
