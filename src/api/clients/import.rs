//! `POST /imports/clients`: each line a client, by the rules of `POST /clients` and
//! `PATCH /clients/{id}`. A line with an `id` updates that client (within the caller's
//! scope, or it is unknown); otherwise a line whose `external_ref` a client in scope has
//! updates it; otherwise the line creates a client. Names and external references stay
//! unique across the table and within the file.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::dto::{Client, ClientCreate};
use super::repo;
use super::service::draft;
use crate::audit::{Actor, Created, Events, Subject};
use crate::auth::{Access, Caller, Permission, Visibility};
use crate::db::sql::name_key;
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::import::{overlap, Importer, Line, Seen, Shape, Tally};
use crate::resource::Changed;
use crate::rest::body::merge;
use crate::time::now;

pub struct ClientImport {
    actor: Actor,
    visibility: Visibility,
    /// Where the caller may change a client's health (`clients.health`), if anywhere.
    health: Option<Visibility>,
    /// The line that first gave each name, external reference, and client updated.
    names: Seen<String>,
    refs: Seen<String>,
    /// The names (`name_key`) and external references lines have given up, each with
    /// its line: not taken by another line, whichever batch each falls in (a batch's
    /// lookups are made before the last batch is written).
    names_given_up: HashMap<String, u64>,
    refs_given_up: HashMap<String, u64>,
    ids: Seen<i64>,
    /// The last batch's writes, made while the next batch is matched.
    pending: Option<Pending>,
}

impl ClientImport {
    pub fn new(access: &Access) -> Self {
        let caller: &Caller = &access.caller;
        ClientImport {
            actor: Actor::from(caller),
            visibility: access.visibility(),
            health: caller
                .scope_of(Permission::ClientsHealth)
                .map(|scope| Visibility::of(caller, scope)),
            names: Seen::default(),
            names_given_up: HashMap::new(),
            refs_given_up: HashMap::new(),
            refs: Seen::default(),
            ids: Seen::default(),
            pending: None,
        }
    }

    /// Of `clients`, the ids `visibility` reaches.
    fn reached(
        conn: &mut DbConn,
        clients: &[Client],
        visibility: Option<Visibility>,
    ) -> Result<HashSet<i64>, ApiError> {
        let ids: Vec<i64> = clients.iter().map(|c| c.id).collect();
        Ok(match visibility {
            None => HashSet::new(),
            Some(Visibility::All) => ids.into_iter().collect(),
            Some(visibility) => repo::visible_ids(conn, &ids, visibility)?
                .into_iter()
                .collect(),
        })
    }
}

/// Why a line cannot take what an earlier line gives up: within one import, whether the
/// earlier line is written first would depend on where the batches fall.
fn given_up(line: u64) -> String {
    format!("line {line} gives this up; it can be taken by a later import")
}

/// `input` over `client`: what the line gives replaces what is stored, a field the line
/// leaves out stays; an empty status or health keeps the stored one.
fn apply(client: &mut Client, line: &Line, input: ClientCreate) {
    client.name = input.name.trim().to_owned();
    let set = |field: &str, target: &mut Option<String>, value: Option<String>| {
        if line.gives(field) {
            *target = value;
        }
    };
    set("legal_name", &mut client.legal_name, input.legal_name);
    set("industry", &mut client.industry, input.industry);
    set("website", &mut client.website, input.website);
    set("health_note", &mut client.health_note, input.health_note);
    set(
        "primary_contact_name",
        &mut client.primary_contact_name,
        input.primary_contact_name,
    );
    set(
        "primary_contact_email",
        &mut client.primary_contact_email,
        input.primary_contact_email,
    );
    set(
        "primary_contact_phone",
        &mut client.primary_contact_phone,
        input.primary_contact_phone,
    );
    set("external_ref", &mut client.external_ref, input.external_ref);
    merge(&mut client.status, &input.status);
    merge(&mut client.health, &input.health);
}

impl Importer for ClientImport {
    /// The line, the client it names by `id`, and the line as a `POST /clients` body.
    type Checked = (Line, Option<i64>, ClientCreate);

    fn shape() -> Shape {
        Shape::of::<ClientCreate>()
    }

    fn check(mut line: Line, tally: &mut Tally) -> Option<Self::Checked> {
        let id = line.take_id(tally);
        let input = line.checked::<ClientCreate>(tally)?;
        Some((line, id, input))
    }

    /// The batch's lookups, then the last batch's writes on the connection while this
    /// one is matched; its own writes wait for the next batch, or for [`Self::finish`].
    fn batch(
        &mut self,
        conn: &mut DbConn,
        checked: Vec<Self::Checked>,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        let found = self.look_up(conn, &checked)?;
        let next = match self.pending.take() {
            Some(last) => {
                let (written, next) = overlap(
                    conn,
                    |conn| write(conn, last),
                    || self.plan(checked, &found, tally),
                );
                tally.absorb(written?);
                next
            }
            None => self.plan(checked, &found, tally),
        };
        self.pending = next;
        Ok(())
    }

    fn finish(&mut self, conn: &mut DbConn, tally: &mut Tally) -> Result<(), ApiError> {
        if let Some(last) = self.pending.take() {
            tally.absorb(write(conn, last)?);
        }
        Ok(())
    }
}

/// What a batch's lines are matched against: the clients they name (by id or external
/// reference), which of those the caller reaches and may change the health of, and the
/// holders of the names they give.
struct Found {
    clients: Vec<Client>,
    visible: HashSet<i64>,
    healable: HashSet<i64>,
    names: HashMap<String, i64>,
}

/// What a batch writes: its new clients (each with its creation's audit changes) and its
/// changed ones.
struct Pending {
    actor: Actor,
    at: NaiveDateTime,
    creates: Vec<(Client, Created)>,
    updates: Vec<(u64, Client, Client)>,
}

impl ClientImport {
    fn look_up(
        &self,
        conn: &mut DbConn,
        checked: &[(Line, Option<i64>, ClientCreate)],
    ) -> Result<Found, ApiError> {
        let ids: Vec<i64> = checked.iter().filter_map(|(_, id, _)| *id).collect();
        let refs: Vec<&str> = checked
            .iter()
            .filter_map(|(_, _, input)| input.external_ref.as_deref())
            .collect();
        let clients = repo::by_keys(conn, &ids, &refs)?;
        let visible = Self::reached(conn, &clients, Some(self.visibility))?;
        let healable = Self::reached(conn, &clients, self.health)?;
        let keys: Vec<String> = checked.iter().map(|(_, _, i)| name_key(&i.name)).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let names = repo::names_taken(conn, &keys)?.into_iter().collect();
        Ok(Found {
            clients,
            visible,
            healable,
            names,
        })
    }

    /// Each line matched (errors to `tally`); what the batch writes, while no line of the
    /// import has failed.
    fn plan(
        &mut self,
        checked: Vec<(Line, Option<i64>, ClientCreate)>,
        found: &Found,
        tally: &mut Tally,
    ) -> Option<Pending> {
        let by_id: HashMap<i64, &Client> = found.clients.iter().map(|c| (c.id, c)).collect();
        let by_ref: HashMap<&str, &Client> = found
            .clients
            .iter()
            .filter_map(|c| Some((c.external_ref.as_deref()?, c)))
            .collect();

        let at = now();
        let (mut creates, mut updates) = (Vec::new(), Vec::new());
        for (line, id, input) in checked {
            let n = line.number;
            let before = match id {
                Some(id) => match by_id.get(&id).filter(|c| found.visible.contains(&c.id)) {
                    Some(client) => Some(*client),
                    None => {
                        tally.error(
                            n,
                            "id",
                            ErrorCode::Unknown,
                            format!("client {id} not found"),
                        );
                        continue;
                    }
                },
                // An external reference out of scope is no match: creating it meets the
                // unique index, as `POST /clients` would.
                None => input
                    .external_ref
                    .as_deref()
                    .and_then(|r| by_ref.get(r))
                    .filter(|c| found.visible.contains(&c.id))
                    .copied(),
            };
            let after = match before {
                Some(before) => {
                    let mut after = before.clone();
                    apply(&mut after, &line, input);
                    after
                }
                None => draft(input, at),
            };
            let own = before.map(|b| b.id);
            if let Some(first) = own.and_then(|id| self.ids.earlier(id, n)) {
                let message = format!("updates the same client as line {first}");
                tally.error(n, "id", ErrorCode::Duplicate, message);
            }
            let key = name_key(&after.name);
            let taken = found
                .names
                .get(&key)
                .is_some_and(|holder| Some(*holder) != own);
            if let Some(first) = self.names.earlier(key.clone(), n) {
                let message = format!("line {first} has a client of the same name");
                tally.error(n, "name", ErrorCode::Unique, message);
            } else if let Some(first) = self.names_given_up.get(&key) {
                tally.error(n, "name", ErrorCode::Unique, given_up(*first));
            } else if taken {
                let message = format!("a client named {:?} already exists", after.name);
                tally.error(n, "name", ErrorCode::Unique, message);
            }
            if let Some(r) = after.external_ref.clone() {
                let taken = by_ref.get(r.as_str()).is_some_and(|c| Some(c.id) != own);
                if let Some(first) = self.refs.earlier(r.clone(), n) {
                    let message = format!("line {first} has the same external_ref");
                    tally.error(n, "external_ref", ErrorCode::Unique, message);
                } else if let Some(first) = self.refs_given_up.get(&r) {
                    tally.error(n, "external_ref", ErrorCode::Unique, given_up(*first));
                } else if taken {
                    let message = format!("a client with external_ref {r:?} already exists");
                    tally.error(n, "external_ref", ErrorCode::Unique, message);
                }
            }
            if let Some(before) = before {
                let old = name_key(&before.name);
                if old != key {
                    self.names_given_up.insert(old, n);
                }
                if let Some(old) = before.external_ref.clone() {
                    if after.external_ref.as_ref() != Some(&old) {
                        self.refs_given_up.insert(old, n);
                    }
                }
            }
            match before {
                None => {
                    let changes = Created::of(&after);
                    creates.push((after, changes));
                }
                Some(before) if *before == after => tally.unchanged(),
                Some(before) => {
                    let health_changed =
                        before.health != after.health || before.health_note != after.health_note;
                    if health_changed && !found.healable.contains(&before.id) {
                        let message = "needs the permission clients.health for this client";
                        tally.error(n, "health", ErrorCode::Forbidden, message);
                    }
                    updates.push((n, before.clone(), after));
                }
            }
        }
        tally.clean().then(|| Pending {
            actor: self.actor.clone(),
            at,
            creates,
            updates,
        })
    }
}

/// A batch's writes, each with its audit event; what they did, counted.
fn write(conn: &mut DbConn, batch: Pending) -> Result<Tally, ApiError> {
    let Pending {
        actor,
        at,
        creates,
        updates,
    } = batch;
    let mut tally = Tally::default();
    let mut events = Events::default();
    if !creates.is_empty() {
        let (drafts, changes): (Vec<Client>, Vec<Created>) = creates.into_iter().unzip();
        let created = repo::insert_many(conn, drafts, at)?;
        tally.created(created.len());
        for (client, changes) in created.iter().zip(changes) {
            events.push_creation(&actor, Subject::client(client.id), changes);
        }
    }
    for (n, before, after) in updates {
        match Client::write(conn, &before, &after)? {
            Some(updated) => {
                let subject = updated.subject();
                events.push(&actor, "update", subject, Some(&before), Some(&updated));
                tally.updated();
            }
            None => tally.error(
                n,
                "",
                ErrorCode::Invalid,
                "the client changed while the import ran; import again",
            ),
        }
    }
    // A failed write is a concurrent one that slipped past the checks; on PostgreSQL the
    // transaction cannot go on after it, so the import ends with its answer.
    events.write(conn)?;
    Ok(tally)
}
