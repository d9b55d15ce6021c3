//! Client operations: each one transaction holding its checks, its write and its audit event.
//! Every read goes through the caller's visibility, so an out-of-scope client is "not found".

use diesel::QueryResult;

use super::dto::{
    Client, ClientAction, ClientCreate, ClientFilter, ClientHealth, ClientStatus, ClientView,
};
use super::repo::{self, ClientColumns, ClientSort};
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::resource::{self, Changed, Listed, Scoped};
use crate::rest::list::ListQuery;
use crate::time::now;

impl Scoped for Client {
    const NOUN: &'static str = "client";
    const TABLE: &'static str = "clients";
    type Action = ClientAction;
    type View = ClientView;
    const ACTIONS: &'static [(ClientAction, Permission)] = &[
        (ClientAction::Update, Permission::ClientsWrite),
        (ClientAction::Delete, Permission::ClientsWrite),
        (ClientAction::SetHealth, Permission::ClientsHealth),
    ];

    resource::scoped_reads_from!(repo);

    fn view(self, allowed_actions: Vec<ClientAction>) -> ClientView {
        ClientView {
            client: self,
            allowed_actions,
        }
    }
}

impl Changed for Client {
    fn version(&self) -> i32 {
        self.version
    }

    fn subject(&self) -> Subject {
        Subject::client(self.id)
    }

    fn write(conn: &mut DbConn, before: &Self, after: &Self) -> Result<Option<Self>, ApiError> {
        let columns = ClientColumns::from(after);
        repo::update(conn, before.id, before.version, &columns, now())
            .map_err(unique_conflict(after))
    }

    fn delete(conn: &mut DbConn, id: i64, version: i32) -> QueryResult<bool> {
        repo::delete(conn, id, version)
    }

    const DELETE_BLOCKED: &'static str =
        "while it has accounts; set its status to inactive instead";
}

impl Listed for Client {
    type Filter = ClientFilter;
    type Sort = ClientSort;

    fn list(
        conn: &mut DbConn,
        visibility: Visibility,
        query: &ListQuery<ClientFilter, ClientSort>,
    ) -> QueryResult<Vec<Self>> {
        repo::list(conn, visibility, query)
    }
}

/// The unique index that refused `client`, on its field. Uniqueness is global: a name
/// taken by a client the caller cannot see is still taken. The insert or update itself is
/// the check, so no race slips between a check and the write.
fn unique_conflict(client: &Client) -> impl FnOnce(diesel::result::Error) -> ApiError + '_ {
    move |e| {
        let name = format!("a client named {:?} already exists", client.name);
        let external_ref = format!(
            "a client with external_ref {:?} already exists",
            client.external_ref.as_deref().unwrap_or_default()
        );
        ApiError::from_unique_index(
            e,
            &[
                ("name_key", "name", &name),
                ("external_ref", "external_ref", &external_ref),
            ],
        )
    }
}

/// The client `input` describes, before it is stored: what `create` inserts, and what an
/// import's line creates.
pub(super) fn draft(input: ClientCreate, at: chrono::NaiveDateTime) -> Client {
    Client {
        id: 0,
        name: input.name.trim().to_owned(),
        legal_name: input.legal_name,
        industry: input.industry,
        website: input.website,
        status: input.status.unwrap_or(ClientStatus::Prospect),
        health: input.health.unwrap_or(ClientHealth::Good),
        health_note: input.health_note,
        primary_contact_name: input.primary_contact_name,
        primary_contact_email: input.primary_contact_email,
        primary_contact_phone: input.primary_contact_phone,
        external_ref: input.external_ref,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: ClientCreate,
) -> Result<ClientView, ApiError> {
    let at = now();
    let draft = draft(input, at);
    let client = db::write_tx(conn, |conn| {
        let client = repo::insert(conn, &ClientColumns::from(&draft), at)
            .map_err(unique_conflict(&draft))?;
        audit::created(
            conn,
            &Actor::from(caller),
            Subject::client(client.id),
            &client,
        )?;
        Ok::<_, ApiError>(client)
    })?;
    // A new client was not read under any visibility: ask, if a grant needs it.
    resource::view(conn, caller, Visibility::All, client)
}
