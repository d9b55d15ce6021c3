use diesel::prelude::*;

use super::dto::{Client, ClientFilter};
use crate::auth::Visibility;
use crate::db::schema::clients;
use crate::db::sql::{
    columns, keyset_by_name_or_time, like_pattern, name_key, next_ids, scoped_reads,
    versioned_writes,
};
use crate::db::DbConn;
use crate::rest::list::{ByNameOrTime, ListQuery};
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
#[diesel(table_name = clients, treat_none_as_null = true, treat_none_as_default_value = false)]
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

scoped_reads!(clients, COLUMNS -> Client, scope::client, external_ref);

versioned_writes!(
    clients,
    COLUMNS -> Client,
    insert: ClientColumns<'_>,
    update: ClientColumns<'_>,
    delete
);

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
    keyset_by_name_or_time!(query, clients, list);
    query.limit(list.fetch_limit()).load(conn)
}

/// The clients an import's lines name, by id or by `external_ref`, whoever can see them
/// (the import then asks which the caller reaches, as an update would).
pub fn by_keys(conn: &mut DbConn, ids: &[i64], refs: &[&str]) -> QueryResult<Vec<Client>> {
    // Two lookups, each on its own index, rather than one with OR (see
    // `db::prefer_index_lookups`); a record both name is read twice and kept once.
    let mut found: Vec<Client> = Vec::new();
    if !ids.is_empty() {
        found = clients::table
            .select(COLUMNS)
            .filter(clients::id.eq_any(ids))
            .load(conn)?;
    }
    if !refs.is_empty() {
        let by_ref: Vec<Client> = clients::table
            .select(COLUMNS)
            .filter(clients::external_ref.eq_any(refs))
            .load(conn)?;
        for row in by_ref {
            if !found.iter().any(|f| f.id == row.id) {
                found.push(row);
            }
        }
    }
    Ok(found)
}

/// Of `keys` (`name_key`s), those taken, with the client that has each.
pub fn names_taken(conn: &mut DbConn, keys: &[&str]) -> QueryResult<Vec<(String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    clients::table
        .select((clients::name_key, clients::id))
        .filter(clients::name_key.eq_any(keys))
        .load(conn)
}

/// New clients, a batch at a time (an import): `drafts` as [`draft`] makes them, each
/// given its id, as stored, in the order of `drafts`.
///
/// [`draft`]: super::service::draft
pub fn insert_many(
    conn: &mut DbConn,
    drafts: Vec<Client>,
    at: chrono::NaiveDateTime,
) -> QueryResult<Vec<Client>> {
    let conn = match conn {
        DbConn::Pg(conn) => return insert_copy(conn, drafts, at),
        DbConn::Sqlite(conn) => conn,
    };
    let rows: Vec<_> = drafts
        .iter()
        .map(|draft| {
            (
                ClientColumns::from(draft),
                clients::version.eq(1),
                clients::created_at.eq(at),
                clients::updated_at.eq(at),
            )
        })
        .collect();
    let mut stored: Vec<Client> = diesel::insert_into(clients::table)
        .values(rows)
        .returning(COLUMNS)
        .get_results(conn)?;
    // SQLite does not promise `RETURNING` in the order of `VALUES`; it gives the rows
    // rising ids in that order.
    stored.sort_unstable_by_key(|c| c.id);
    Ok(stored)
}

/// On PostgreSQL the batch goes by `COPY` (binary), the way PostgreSQL loads rows
/// fastest, with no statement to parse or plan per batch. `COPY` returns nothing, so the
/// ids are taken from the table's sequence first, as a plain insert would take them.
fn insert_copy(
    conn: &mut diesel::PgConnection,
    drafts: Vec<Client>,
    at: chrono::NaiveDateTime,
) -> QueryResult<Vec<Client>> {
    // Every column flat: `COPY` takes no embedded groups of columns.
    #[derive(Insertable)]
    #[diesel(table_name = clients, treat_none_as_default_value = false)]
    struct Row<'a> {
        id: i64,
        name: &'a str,
        name_key: String,
        legal_name: Option<&'a str>,
        industry: Option<&'a str>,
        website: Option<&'a str>,
        status: &'a str,
        health: &'a str,
        health_note: Option<&'a str>,
        primary_contact_name: Option<&'a str>,
        primary_contact_email: Option<&'a str>,
        primary_contact_phone: Option<&'a str>,
        external_ref: Option<&'a str>,
        version: i32,
        created_at: chrono::NaiveDateTime,
        updated_at: chrono::NaiveDateTime,
    }

    let ids = next_ids(conn, "clients", drafts.len())?;
    let rows: Vec<Row<'_>> = drafts
        .iter()
        .zip(&ids)
        .map(|(draft, id)| {
            let c = ClientColumns::from(draft);
            Row {
                id: *id,
                name: c.name,
                name_key: c.name_key,
                legal_name: c.legal_name,
                industry: c.industry,
                website: c.website,
                status: c.status,
                health: c.health,
                health_note: c.health_note,
                primary_contact_name: c.primary_contact_name,
                primary_contact_email: c.primary_contact_email,
                primary_contact_phone: c.primary_contact_phone,
                external_ref: c.external_ref,
                version: 1,
                created_at: at,
                updated_at: at,
            }
        })
        .collect();
    diesel::copy_from(clients::table)
        .from_insertable(&rows)
        .execute(conn)?;
    drop(rows);
    Ok(drafts
        .into_iter()
        .zip(ids)
        .map(|(draft, id)| Client {
            id,
            version: 1,
            created_at: at,
            updated_at: at,
            ..draft
        })
        .collect())
}
