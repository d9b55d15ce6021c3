use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::{Client, ClientFilter};
use crate::auth::Visibility;
use crate::db::schema::clients;
use crate::db::sql::{columns, keyset, like_pattern, name_key};
use crate::db::DbConn;
use crate::rest::list::{By, ByNameOrTime, ListQuery};
use crate::scope;
use crate::time::Timestamp;

columns!(
    /// Every column but `name_key`, in [`Client`]'s field order.
    COLUMNS: Columns = (
        clients::id,
        clients::name,
        clients::legal_name,
        clients::industry,
        clients::website,
        clients::status,
        clients::health,
        clients::health_note,
        clients::primary_contact_name,
        clients::primary_contact_email,
        clients::primary_contact_phone,
        clients::external_ref,
        clients::version,
        clients::created_at,
        clients::updated_at,
    )
);

/// The columns a client's owner can change; written on insert and on every update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = clients, treat_none_as_null = true)]
pub struct ClientColumns<'a> {
    pub name: &'a str,
    pub name_key: String,
    pub legal_name: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub website: Option<&'a str>,
    pub status: &'a str,
    pub health: &'a str,
    pub health_note: Option<&'a str>,
    pub primary_contact_name: Option<&'a str>,
    pub primary_contact_email: Option<&'a str>,
    pub primary_contact_phone: Option<&'a str>,
    pub external_ref: Option<&'a str>,
}

impl<'a> From<&'a Client> for ClientColumns<'a> {
    fn from(c: &'a Client) -> Self {
        ClientColumns {
            name: &c.name,
            name_key: name_key(&c.name),
            legal_name: c.legal_name.as_deref(),
            industry: c.industry.as_deref(),
            website: c.website.as_deref(),
            status: c.status.as_str(),
            health: c.health.as_str(),
            health_note: c.health_note.as_deref(),
            primary_contact_name: c.primary_contact_name.as_deref(),
            primary_contact_email: c.primary_contact_email.as_deref(),
            primary_contact_phone: c.primary_contact_phone.as_deref(),
            external_ref: c.external_ref.as_deref(),
        }
    }
}

/// The client, if it exists and `visibility` reaches it.
/// Of `ids`, those `visibility` reaches: what a page asks once to say, row by row, what
/// the caller may do.
pub fn visible_ids(
    conn: &mut DbConn,
    ids: &[i64],
    visibility: Visibility,
) -> QueryResult<Vec<i64>> {
    let mut query = clients::table
        .filter(clients::id.eq_any(ids))
        .select(clients::id)
        .into_boxed();
    if let Some(visible) = scope::clients(visibility) {
        query = query.filter(visible);
    }
    query.load(conn)
}

pub fn find(conn: &mut DbConn, id: i64, visibility: Visibility) -> QueryResult<Option<Client>> {
    let mut query = clients::table.find(id).select(COLUMNS).into_boxed();
    if let Some(visible) = scope::clients(visibility) {
        query = query.filter(visible);
    }
    query.first(conn).optional()
}

pub fn insert(
    conn: &mut DbConn,
    columns: &ClientColumns,
    at: NaiveDateTime,
) -> QueryResult<Client> {
    diesel::insert_into(clients::table)
        .values((
            columns,
            clients::version.eq(1),
            clients::created_at.eq(at),
            clients::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result(conn)
}

/// Writes `columns` if the row is still at `version`; `None` when another writer won.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    version: i32,
    columns: &ClientColumns,
    at: NaiveDateTime,
) -> QueryResult<Option<Client>> {
    diesel::update(clients::table.filter(clients::id.eq(id).and(clients::version.eq(version))))
        .set((
            columns,
            clients::version.eq(version + 1),
            clients::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result(conn)
        .optional()
}

pub fn delete(conn: &mut DbConn, id: i64, version: i32) -> QueryResult<bool> {
    diesel::delete(clients::table.filter(clients::id.eq(id).and(clients::version.eq(version))))
        .execute(conn)
        .map(|n| n == 1)
}

/// Whether another client already has this name, compared ignoring case.
pub fn name_taken(conn: &mut DbConn, name: &str, except: Option<i64>) -> QueryResult<bool> {
    let query = clients::table
        .filter(clients::name_key.eq(name_key(name)))
        .filter(clients::id.ne(except.unwrap_or(0)));
    diesel::select(diesel::dsl::exists(query)).get_result(conn)
}

pub fn external_ref_taken(
    conn: &mut DbConn,
    external_ref: &str,
    except: Option<i64>,
) -> QueryResult<bool> {
    let query = clients::table
        .filter(clients::external_ref.eq(external_ref))
        .filter(clients::id.ne(except.unwrap_or(0)));
    diesel::select(diesel::dsl::exists(query)).get_result(conn)
}

/// Clients are listed by name or by time.
pub type ClientSort = ByNameOrTime<Client>;

/// One page, filtered and ordered in SQL; fetches `list.fetch_limit()` rows.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    list: &ListQuery<ClientFilter, ClientSort>,
) -> QueryResult<Vec<Client>> {
    let filter = &list.filter;
    let mut query = clients::table.select(COLUMNS).into_boxed();
    if let Some(visible) = scope::clients(visibility) {
        query = query.filter(visible);
    }
    if let Some(status) = filter.status {
        query = query.filter(clients::status.eq(status.as_str()));
    }
    if let Some(health) = filter.health {
        query = query.filter(clients::health.eq(health.as_str()));
    }
    if let Some(industry) = &filter.industry {
        query = query.filter(clients::industry.eq(industry.clone()));
    }
    if let Some(q) = &filter.q {
        query = query.filter(clients::name_key.like(like_pattern(q)).escape('\\'));
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        query = query.filter(clients::updated_at.ge(since));
    }
    let descending = list.descending;
    match list.sort.0 {
        By::Name => {
            keyset!(
                query,
                clients::name,
                clients::id,
                list.after_text(),
                descending
            )
        }
        By::CreatedAt => {
            keyset!(
                query,
                clients::created_at,
                clients::id,
                list.after_time(),
                descending
            )
        }
        By::UpdatedAt => {
            keyset!(
                query,
                clients::updated_at,
                clients::id,
                list.after_time(),
                descending
            )
        }
    }
    query.limit(list.fetch_limit()).load(conn)
}
