use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::{Client, ClientHealth, ClientStatus};
use crate::auth::Visibility;
use crate::db::schema::clients;
use crate::db::sql::{keyset, like_pattern, name_key};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::rest::list::PageRequest;
use crate::scope;
use crate::time::format_time;

/// Every column but `name_key`, in [`Client`]'s field order.
type Columns = (
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
);
const COLUMNS: Columns = (
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

#[derive(Debug, Default)]
pub struct ClientFilter {
    pub status: Option<ClientStatus>,
    pub health: Option<ClientHealth>,
    pub industry: Option<String>,
    pub q: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Copy)]
pub enum ClientSort {
    Name,
    CreatedAt,
    UpdatedAt,
}

impl ClientSort {
    pub const ALLOWED: &'static [(&'static str, ClientSort)] = &[
        ("name", ClientSort::Name),
        ("created_at", ClientSort::CreatedAt),
        ("updated_at", ClientSort::UpdatedAt),
    ];

    /// The cursor value of `client` under this sort.
    pub fn key(self, client: &Client) -> serde_json::Value {
        match self {
            ClientSort::Name => client.name.clone().into(),
            ClientSort::CreatedAt => format_time(&client.created_at).into(),
            ClientSort::UpdatedAt => format_time(&client.updated_at).into(),
        }
    }
}

/// One page, filtered and ordered in SQL; fetches `page.fetch_limit()` rows.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    filter: &ClientFilter,
    sort: ClientSort,
    descending: bool,
    page: &PageRequest,
) -> Result<Vec<Client>, ApiError> {
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
    if let Some(since) = filter.updated_since {
        query = query.filter(clients::updated_at.ge(since));
    }
    let after = page.after.as_ref();
    match sort {
        ClientSort::Name => {
            let after = after
                .map(|c| Ok::<_, ApiError>((c.string_value()?, c.id)))
                .transpose()?;
            keyset!(query, clients::name, clients::id, after, descending);
        }
        ClientSort::CreatedAt => {
            let after = after
                .map(|c| Ok::<_, ApiError>((c.time_value()?, c.id)))
                .transpose()?;
            keyset!(query, clients::created_at, clients::id, after, descending);
        }
        ClientSort::UpdatedAt => {
            let after = after
                .map(|c| Ok::<_, ApiError>((c.time_value()?, c.id)))
                .transpose()?;
            keyset!(query, clients::updated_at, clients::id, after, descending);
        }
    }
    Ok(query.limit(page.fetch_limit()).load(conn)?)
}
