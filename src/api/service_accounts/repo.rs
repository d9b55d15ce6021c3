use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::{ServiceAccount, ServiceAccountFilter};
use crate::api::staff::dto::StaffKind;
use crate::db::schema::{service_credentials, staff};
use crate::db::sql::{columns, keyset, like_pattern, lower};
use crate::db::DbConn;
use crate::rest::list::{Key, KeyKind, ListQuery, Sort};

columns!(
    /// A service account as served: its staff row and its client id, never the hash.
    COLUMNS: Columns = (
        staff::id,
        staff::full_name,
        staff::role,
        service_credentials::client_id,
        staff::active,
        staff::version,
        service_credentials::rotated_at,
        staff::created_at,
        staff::updated_at,
    )
);

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<ServiceAccount>> {
    staff::table
        .inner_join(service_credentials::table)
        .filter(staff::id.eq(id))
        .filter(staff::kind.eq(StaffKind::Service.as_str()))
        .select(COLUMNS)
        .first(conn)
        .optional()
}

pub fn insert_credentials(
    conn: &mut DbConn,
    staff_id: i64,
    client_id: &str,
    secret_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(service_credentials::table)
        .values((
            service_credentials::staff_id.eq(staff_id),
            service_credentials::client_id.eq(client_id),
            service_credentials::secret_hash.eq(secret_hash),
            service_credentials::rotated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Replaces the secret: the old one stops working when the transaction commits.
pub fn replace_secret(
    conn: &mut DbConn,
    staff_id: i64,
    secret_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(service_credentials::table.find(staff_id))
        .set((
            service_credentials::secret_hash.eq(secret_hash),
            service_credentials::rotated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Staff id, active flag and secret hash of the service account with this client id.
pub fn credentials(conn: &mut DbConn, client_id: &str) -> QueryResult<Option<(i64, bool, String)>> {
    staff::table
        .inner_join(service_credentials::table)
        .filter(service_credentials::client_id.eq(client_id))
        .filter(staff::kind.eq(StaffKind::Service.as_str()))
        .select((staff::id, staff::active, service_credentials::secret_hash))
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Copy)]
pub enum ServiceAccountSort {
    Name,
    CreatedAt,
}

impl Sort for ServiceAccountSort {
    type Row = ServiceAccount;
    const KEYS: &'static [(&'static str, Self)] = &[
        ("name", ServiceAccountSort::Name),
        ("created_at", ServiceAccountSort::CreatedAt),
    ];
    const DEFAULT: &'static str = "created_at";

    fn kind(self) -> KeyKind {
        match self {
            ServiceAccountSort::Name => KeyKind::Text,
            ServiceAccountSort::CreatedAt => KeyKind::Time,
        }
    }

    fn key(self, s: &ServiceAccount) -> Key {
        match self {
            ServiceAccountSort::Name => Key::Text(s.name.clone()),
            ServiceAccountSort::CreatedAt => Key::Time(s.created_at),
        }
    }

    fn id(s: &ServiceAccount) -> i64 {
        s.id
    }
}

pub fn list(
    conn: &mut DbConn,
    list: &ListQuery<ServiceAccountFilter, ServiceAccountSort>,
) -> QueryResult<Vec<ServiceAccount>> {
    let filter = &list.filter;
    let mut query = staff::table
        .inner_join(service_credentials::table)
        .filter(staff::kind.eq(StaffKind::Service.as_str()))
        .select(COLUMNS)
        .into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(staff::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(staff::active.eq(active));
    }
    if let Some(q) = &filter.q {
        query = query.filter(lower(staff::full_name).like(like_pattern(q)).escape('\\'));
    }
    let descending = list.descending;
    match list.sort {
        ServiceAccountSort::Name => keyset!(
            query,
            staff::full_name,
            staff::id,
            list.after_text(),
            descending
        ),
        ServiceAccountSort::CreatedAt => keyset!(
            query,
            staff::created_at,
            staff::id,
            list.after_time(),
            descending
        ),
    }
    query.limit(list.fetch_limit()).load(conn)
}
