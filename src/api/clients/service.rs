//! Client operations: each one transaction holding its checks, its write and its audit event.
//! Every read goes through the caller's visibility, so an out-of-scope client is "not found".

use super::dto::{
    Client, ClientAction, ClientCreate, ClientHealth, ClientStatus, ClientUpdate, ClientView,
    HealthUpdate,
};
use super::repo::{self, ClientColumns};
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn, RowKey};
use crate::error::ApiError;
use crate::rest::record::IfMatch;
use crate::time::now;
use crate::versioned;

const ACTIONS: &[(ClientAction, Permission)] = &[
    (ClientAction::Update, Permission::ClientsWrite),
    (ClientAction::Delete, Permission::ClientsWrite),
    (ClientAction::SetHealth, Permission::ClientsHealth),
];

/// The client if `visibility` reaches it; otherwise exactly what a missing one gives.
pub fn find(conn: &mut DbConn, id: i64, visibility: Visibility) -> Result<Client, ApiError> {
    repo::find(conn, id, visibility)?.ok_or_else(|| ApiError::not_found(&what(id)))
}

/// What `caller` may do with each of `clients`, for a whole page at once. `found_under` is
/// the visibility they were just read with (see `Caller::allowed_actions`); after a write,
/// pass `Visibility::All`: the write may have changed the answer.
pub fn views(
    conn: &mut DbConn,
    caller: &Caller,
    found_under: Visibility,
    clients: Vec<Client>,
) -> Result<Vec<ClientView>, ApiError> {
    let assigned = Visibility::Assigned(caller.staff_id);
    Ok(caller.with_allowed_actions(
        ACTIONS,
        found_under,
        clients,
        |client| client.id,
        |ids| repo::visible_ids(conn, ids, assigned),
        |client, allowed_actions| ClientView {
            client,
            allowed_actions,
        },
    )?)
}

/// One client with what `caller` may do with it (see [`views`]).
pub fn view(
    conn: &mut DbConn,
    caller: &Caller,
    found_under: Visibility,
    client: Client,
) -> Result<ClientView, ApiError> {
    let mut views = views(conn, caller, found_under, vec![client])?;
    Ok(views.remove(0))
}

pub fn get(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
) -> Result<ClientView, ApiError> {
    let client = find(conn, id, visibility)?;
    view(conn, caller, visibility, client)
}

fn unique_conflict(e: diesel::result::Error) -> ApiError {
    ApiError::from_unique_index(
        e,
        &[
            ("name_key", "name", "a client with this name already exists"),
            (
                "external_ref",
                "external_ref",
                "a client with this external_ref already exists",
            ),
        ],
    )
}

/// Uniqueness is global: a name taken by a client the caller cannot see is still taken.
fn ensure_unique(conn: &mut DbConn, client: &Client, except: Option<i64>) -> Result<(), ApiError> {
    if repo::name_taken(conn, &client.name, except)? {
        return Err(ApiError::duplicate(
            "name",
            format!("a client named {:?} already exists", client.name),
        ));
    }
    if let Some(external_ref) = &client.external_ref {
        if repo::external_ref_taken(conn, external_ref, except)? {
            return Err(ApiError::duplicate(
                "external_ref",
                format!("a client with external_ref {external_ref:?} already exists"),
            ));
        }
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: ClientCreate,
) -> Result<ClientView, ApiError> {
    let at = now();
    let draft = Client {
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
    };
    let client = db::write_tx(conn, |conn| {
        ensure_unique(conn, &draft, None)?;
        let client =
            repo::insert(conn, &ClientColumns::from(&draft), at).map_err(unique_conflict)?;
        audit::write(
            conn,
            &Actor::from(caller),
            "create",
            Subject::client(client.id),
            None::<&Client>,
            Some(&client),
        )?;
        Ok::<_, ApiError>(client)
    })?;
    // A new client was not read under any visibility: ask, if a grant needs it.
    view(conn, caller, Visibility::All, client)
}

/// Reads the client for a change: locked until the transaction ends, within the caller's
/// visibility.
fn find_for_change(conn: &mut DbConn, id: i64, visibility: Visibility) -> Result<Client, ApiError> {
    versioned::find_for_change(conn, "clients", RowKey::Id(id), &what(id), |conn| {
        repo::find(conn, id, visibility)
    })
}

fn what(id: i64) -> String {
    format!("client {id}")
}

/// Applies `change` to the current record and writes it only when something actually
/// changed (an empty PATCH is not an event).
fn modify(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
    action: &str,
    change: impl FnOnce(&mut Client),
) -> Result<ClientView, ApiError> {
    let client = db::write_tx(conn, |conn| {
        let before = find_for_change(conn, id, visibility)?;
        if_match.check(before.version)?;
        let mut after = before.clone();
        change(&mut after);
        if after == before {
            return Ok(before);
        }
        ensure_unique(conn, &after, Some(id))?;
        let columns = ClientColumns::from(&after);
        let updated = repo::update(conn, id, before.version, &columns, now());
        let updated = versioned::written(&what(id), updated.map_err(unique_conflict)?)?;
        audit::write(
            conn,
            &Actor::from(caller),
            action,
            Subject::client(id),
            Some(&before),
            Some(&updated),
        )?;
        Ok::<_, ApiError>(updated)
    })?;
    // After a write, ask afresh (see `view`).
    view(conn, caller, Visibility::All, client)
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
    patch: ClientUpdate,
) -> Result<ClientView, ApiError> {
    modify(conn, caller, visibility, id, if_match, "update", |client| {
        patch.apply_to(client);
        client.name = client.name.trim().to_owned();
    })
}

pub fn set_health(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
    input: HealthUpdate,
) -> Result<ClientView, ApiError> {
    modify(conn, caller, visibility, id, if_match, "health", |client| {
        client.health = input.health;
        client.health_note = input.health_note;
    })
}

pub fn delete(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        let before = find_for_change(conn, id, visibility)?;
        if_match.check(before.version)?;
        versioned::deleted(
            &what(id),
            repo::delete(conn, id, before.version),
            "while it has accounts; set its status to inactive instead",
        )?;
        audit::write(
            conn,
            &Actor::from(caller),
            "delete",
            Subject::client(id),
            Some(&before),
            None::<&Client>,
        )?;
        Ok(())
    })
}
