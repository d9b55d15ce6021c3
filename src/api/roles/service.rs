//! Role operations. Changes apply on the next request everywhere, because every request
//! reads its caller's grants from the database.

use super::dto::{Role, RoleCreate, RoleUpdate};
use super::repo::{self, NewRole};
use crate::audit::{self, Actor, Subject};
use crate::auth::permissions::{beyond, describe, Grant};
use crate::auth::{grants, Caller};
use crate::db::{self, DbConn, RowKey};
use crate::error::ApiError;
use crate::rest::record::IfMatch;
use crate::time::now;
use crate::versioned;

pub const RESOURCE: &str = "roles";

pub fn get(conn: &mut DbConn, key: &str) -> Result<Role, ApiError> {
    repo::find(conn, key)?.ok_or_else(|| ApiError::not_found(&format!("role {key:?}")))
}

/// Nobody grants a permission or scope beyond their own, and nobody edits a role that
/// already reaches beyond theirs (else `roles.write` alone could strip a wider role, or
/// raise the holder's own).
fn ensure_within(caller: &Caller, what: &str, grants: &[Grant]) -> Result<(), ApiError> {
    let excess = beyond(&caller.grants, grants);
    if excess.is_empty() {
        return Ok(());
    }
    Err(ApiError::Denied(format!(
        "nobody may grant or change permissions beyond their own: {what} {}, beyond what you hold",
        describe(&excess)
    )))
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: RoleCreate) -> Result<Role, ApiError> {
    ensure_within(caller, "the role would hold", &input.permissions)?;
    let actor = &Actor::from(caller);
    db::write_tx(conn, |conn| {
        // The insert is the check: two instances creating one key at once both pass any
        // check made before it, and the primary key decides.
        let role = repo::insert(
            conn,
            &NewRole {
                key: &input.key,
                name: input.name.trim(),
                description: &input.description,
                built_in: false,
                permissions: &input.permissions,
            },
            now(),
        )
        .map_err(|e| {
            let taken = format!("a role with key {:?} already exists", input.key);
            ApiError::from_unique_index(
                e,
                &[("roles_pkey", "key", &taken), ("roles.key", "key", &taken)],
            )
        })?;
        audit::created(conn, actor, Subject::new(RESOURCE, &role.key), &role)?;
        Ok(role)
    })
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    key: &str,
    if_match: &IfMatch,
    input: RoleUpdate,
) -> Result<Role, ApiError> {
    ensure_within(caller, "the role would hold", &input.permissions)?;
    let actor = &Actor::from(caller);
    db::write_tx(conn, |conn| {
        let what = format!("role {key:?}");
        let before = versioned::find_for_change(conn, "roles", RowKey::Key(key), &what, |conn| {
            repo::find(conn, key)
        })?;
        ensure_within(caller, &format!("role {key:?} holds"), &before.permissions)?;
        if_match.check(before.version)?;
        let mut permissions = input.permissions.clone();
        permissions.sort_by_key(|g| g.permission);
        if before.name == input.name.trim()
            && before.description == input.description
            && before.permissions == permissions
        {
            return Ok(before);
        }
        let after = repo::update(
            conn,
            key,
            before.version,
            input.name.trim(),
            &input.description,
            &permissions,
            now(),
        )?;
        let after = versioned::written(&what, after)?;
        grants::ensure_administrable(conn, "permissions")?;
        audit::write(
            conn,
            actor,
            "update",
            Subject::new(RESOURCE, key),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}
