use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::Role;
use crate::auth::{grants, Grant};
use crate::db::schema::{role_permissions, roles};
use crate::db::DbConn;

type RoleRow = (
    String,
    String,
    String,
    bool,
    i32,
    NaiveDateTime,
    NaiveDateTime,
);

fn to_role(row: RoleRow, permissions: Vec<Grant>) -> Role {
    let (key, name, description, built_in, version, created_at, updated_at) = row;
    Role {
        key,
        name,
        description,
        built_in,
        permissions,
        version,
        created_at,
        updated_at,
    }
}

pub fn find(conn: &mut DbConn, key: &str) -> QueryResult<Option<Role>> {
    let Some(row) = roles::table.find(key).first::<RoleRow>(conn).optional()? else {
        return Ok(None);
    };
    let permissions = grants::of_role(conn, key)?;
    Ok(Some(to_role(row, permissions)))
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Role>> {
    let rows: Vec<RoleRow> = roles::table.order(roles::key.asc()).load(conn)?;
    // Every role's grants in one query, rather than one query per role.
    let stored: Vec<(String, String, String)> = role_permissions::table
        .select((
            role_permissions::role_key,
            role_permissions::permission,
            role_permissions::scope,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let of_role = stored
                .iter()
                .filter(|(role, _, _)| *role == row.0)
                .map(|(_, p, s)| (p.as_str(), s.as_str()));
            let permissions = grants::sorted(of_role);
            to_role(row, permissions)
        })
        .collect())
}

fn replace_grants(conn: &mut DbConn, key: &str, grants: &[Grant]) -> QueryResult<()> {
    diesel::delete(role_permissions::table.filter(role_permissions::role_key.eq(key)))
        .execute(conn)?;
    for grant in grants {
        diesel::insert_into(role_permissions::table)
            .values((
                role_permissions::role_key.eq(key),
                role_permissions::permission.eq(grant.permission.key()),
                role_permissions::scope.eq(grant.scope.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub struct NewRole<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub built_in: bool,
    pub permissions: &'a [Grant],
}

pub fn insert(conn: &mut DbConn, role: &NewRole, at: NaiveDateTime) -> QueryResult<Role> {
    diesel::insert_into(roles::table)
        .values((
            roles::key.eq(role.key),
            roles::name.eq(role.name),
            roles::description.eq(role.description),
            roles::built_in.eq(role.built_in),
            roles::version.eq(1),
            roles::created_at.eq(at),
            roles::updated_at.eq(at),
        ))
        .execute(conn)?;
    replace_grants(conn, role.key, role.permissions)?;
    find(conn, role.key)?.ok_or(diesel::result::Error::NotFound)
}

/// Replaces name, description and grants if the role is still at `version`.
pub fn update(
    conn: &mut DbConn,
    key: &str,
    version: i32,
    name: &str,
    description: &str,
    permissions: &[Grant],
    at: NaiveDateTime,
) -> QueryResult<Option<Role>> {
    let updated =
        diesel::update(roles::table.filter(roles::key.eq(key).and(roles::version.eq(version))))
            .set((
                roles::name.eq(name),
                roles::description.eq(description),
                roles::version.eq(version + 1),
                roles::updated_at.eq(at),
            ))
            .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    replace_grants(conn, key, permissions)?;
    find(conn, key)
}
