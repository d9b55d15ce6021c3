use diesel::prelude::*;

use super::dto::{Staff, StaffFilter, StaffKind};
use crate::db::schema::staff;
use crate::db::sql::{columns, keyset, like_pattern, lower, versioned_writes};
use crate::db::DbConn;
use crate::rest::list::{Key, KeyKind, ListQuery, Sort};

columns!(
    /// Every column but the password hash.
    COLUMNS: Columns = (
        staff::id,
        staff::email,
        staff::full_name,
        staff::role,
        staff::reports_to,
        staff::active,
        staff::kind,
        staff::version,
        staff::created_at,
        staff::updated_at,
    )
);

#[derive(Insertable)]
#[diesel(table_name = staff, treat_none_as_default_value = false)]
pub struct NewStaff<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub role: &'a str,
    pub reports_to: Option<i64>,
    pub password_hash: &'a str,
    pub active: bool,
    pub kind: &'a str,
}

#[derive(AsChangeset)]
#[diesel(table_name = staff, treat_none_as_null = true)]
pub struct StaffChanges<'a> {
    pub full_name: &'a str,
    pub role: &'a str,
    pub active: bool,
    pub reports_to: Option<i64>,
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Staff>> {
    staff::table.find(id).select(COLUMNS).first(conn).optional()
}

/// The staff member with this (lower-case) email.
pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<Staff>> {
    staff::table
        .filter(staff::email.eq(email))
        .select(COLUMNS)
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    staff::table.count().get_result(conn)
}

/// Id, active flag and password hash of the person with this (lower-case) email. A
/// service account is not found here: it never signs in with a password.
pub fn credentials(conn: &mut DbConn, email: &str) -> QueryResult<Option<(i64, bool, String)>> {
    staff::table
        .filter(staff::email.eq(email))
        .filter(staff::kind.eq(StaffKind::Person.as_str()))
        .select((staff::id, staff::active, staff::password_hash))
        .first(conn)
        .optional()
}

pub fn manager_of(conn: &mut DbConn, id: i64) -> QueryResult<Option<i64>> {
    staff::table
        .find(id)
        .select(staff::reports_to)
        .first::<Option<i64>>(conn)
        .optional()
        .map(Option::flatten)
}

versioned_writes!(
    staff,
    COLUMNS -> Staff,
    insert: NewStaff<'_>,
    update: StaffChanges<'_>
);

#[derive(Debug, Clone, Copy)]
pub enum StaffSort {
    FullName,
    Email,
    CreatedAt,
}

impl Sort for StaffSort {
    type Row = Staff;
    const KEYS: &'static [(&'static str, Self)] = &[
        ("full_name", StaffSort::FullName),
        ("email", StaffSort::Email),
        ("created_at", StaffSort::CreatedAt),
    ];
    const DEFAULT: &'static str = "created_at";

    fn kind(self) -> KeyKind {
        match self {
            StaffSort::FullName | StaffSort::Email => KeyKind::Text,
            StaffSort::CreatedAt => KeyKind::Time,
        }
    }

    fn key(self, s: &Staff) -> Key {
        match self {
            StaffSort::FullName => Key::Text(s.full_name.clone()),
            StaffSort::Email => Key::Text(s.email.clone()),
            StaffSort::CreatedAt => Key::Time(s.created_at),
        }
    }

    fn id(s: &Staff) -> i64 {
        s.id
    }
}

pub fn list(
    conn: &mut DbConn,
    list: &ListQuery<StaffFilter, StaffSort>,
) -> QueryResult<Vec<Staff>> {
    let filter = &list.filter;
    let mut query = staff::table.select(COLUMNS).into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(staff::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(staff::active.eq(active));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(staff::kind.eq(kind.as_str()));
    }
    if let Some(q) = &filter.q {
        let pattern = like_pattern(q);
        query = query.filter(
            lower(staff::full_name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(staff::email).like(pattern).escape('\\')),
        );
    }
    let descending = list.descending;
    match list.sort {
        StaffSort::FullName => {
            keyset!(
                query,
                staff::full_name,
                staff::id,
                list.after_text(),
                descending
            )
        }
        StaffSort::Email => keyset!(
            query,
            staff::email,
            staff::id,
            list.after_text(),
            descending
        ),
        StaffSort::CreatedAt => {
            keyset!(
                query,
                staff::created_at,
                staff::id,
                list.after_time(),
                descending
            )
        }
    }
    query.limit(list.fetch_limit()).load(conn)
}
