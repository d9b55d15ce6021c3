//! `POST /imports/accounts`: each line an account, by the rules of `POST /accounts` and
//! `PATCH /accounts/{id}`. The client is named by `client_id` or `client_external_ref`
//! and must be within the caller's reach, as for a create; a line with an `id` updates
//! that account, otherwise a line whose `external_ref` an account in scope has updates
//! it, otherwise the line creates one. An account stays with its client.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::dto::{Account, AccountCreate, AccountStatus};
use super::repo::{self, AccountColumns, NewAccount};
use crate::api::{clients, staff};
use crate::audit::{Actor, Events};
use crate::auth::{Access, Visibility};
use crate::db::sql::name_key;
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::import::{Importer, Kind, Line, Reference, Seen, Shape, Tally};
use crate::resource::Changed;
use crate::rest::body::merge;
use crate::time::now;

/// The column that names the client by its `external_ref` instead of its id.
const CLIENT_REF: &str = Reference::CLIENT.column;

pub struct AccountImport {
    actor: Actor,
    caller_id: i64,
    visibility: Visibility,
    /// Whether each staff member named as a manager so far is active.
    managers: HashMap<i64, bool>,
    names: Seen<(i64, String)>,
    refs: Seen<String>,
    ids: Seen<i64>,
}

impl AccountImport {
    pub fn new(access: &Access) -> Self {
        AccountImport {
            actor: Actor::from(&access.caller),
            caller_id: access.caller.staff_id,
            visibility: access.visibility(),
            managers: HashMap::new(),
            names: Seen::default(),
            refs: Seen::default(),
            ids: Seen::default(),
        }
    }

    /// Why `manager_id` cannot manage an account, if it cannot (as `POST /accounts` says).
    fn manager_refused(
        &mut self,
        conn: &mut DbConn,
        id: i64,
    ) -> Result<Option<(ErrorCode, String)>, ApiError> {
        let active = match self.managers.get(&id) {
            Some(active) => Some(*active),
            None => {
                let found = staff::repo::find(conn, id)?.map(|s| s.active);
                if let Some(active) = found {
                    self.managers.insert(id, active);
                }
                found
            }
        };
        Ok(match active {
            Some(true) => None,
            Some(false) => Some((
                ErrorCode::Inactive,
                format!("staff member {id} is deactivated"),
            )),
            None => Some((ErrorCode::Unknown, format!("there is no staff member {id}"))),
        })
    }
}

/// `input` over `account`: what the line gives replaces what is stored; a field the line
/// leaves out stays, as does an empty status.
fn apply(account: &mut Account, line: &Line, input: AccountCreate) {
    account.name = input.name.trim().to_owned();
    merge(&mut account.status, &input.status);
    if line.gives("manager_id") {
        account.manager_id = input.manager_id;
    }
    if line.gives("budget") {
        account.budget = input.budget;
    }
    if line.gives("payment_approval_threshold") {
        account.payment_approval_threshold = input.payment_approval_threshold;
    }
    if line.gives("external_ref") {
        account.external_ref = input.external_ref;
    }
}

impl Importer for AccountImport {
    /// Checked in the batch, once the references it needs are looked up.
    type Checked = Line;

    fn check(line: Line, _: &mut Tally) -> Option<Line> {
        Some(line)
    }

    fn shape() -> Shape {
        Shape::of::<AccountCreate>().with(CLIENT_REF, Kind::Text)
    }

    fn batch(
        &mut self,
        conn: &mut DbConn,
        lines: Vec<Line>,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        // The clients the lines name by reference, among those within reach.
        let client_refs: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.fields.get(CLIENT_REF).and_then(Value::as_str))
            .collect();
        let named = clients::repo::by_keys(conn, &[], &client_refs)?;
        let ids: Vec<i64> = named.iter().map(|c| c.id).collect();
        let reached: HashSet<i64> = clients::repo::visible_ids(conn, &ids, self.visibility)?
            .into_iter()
            .collect();
        let by_ref: HashMap<String, i64> = named
            .into_iter()
            .filter(|c| reached.contains(&c.id))
            .filter_map(|c| Some((c.external_ref?, c.id)))
            .collect();

        let mut checked = Vec::with_capacity(lines.len());
        for mut line in lines {
            let id = line.take_id(tally);
            if line.resolve(Reference::CLIENT, tally, |r| Ok(by_ref.get(r).copied()))? {
                if let Some(input) = line.checked::<AccountCreate>(tally) {
                    checked.push((line, id, input));
                }
            }
        }
        let client_ids: Vec<i64> = checked.iter().map(|(_, _, i)| i.client_id).collect();
        let reached: HashSet<i64> = clients::repo::visible_ids(conn, &client_ids, self.visibility)?
            .into_iter()
            .collect();
        let ids: Vec<i64> = checked.iter().filter_map(|(_, id, _)| *id).collect();
        let refs: Vec<&str> = checked
            .iter()
            .filter_map(|(_, _, input)| input.external_ref.as_deref())
            .collect();
        let found = repo::by_keys(conn, &ids, &refs)?;
        let found_ids: Vec<i64> = found.iter().map(|a| a.id).collect();
        let visible: HashSet<i64> = repo::visible_ids(conn, &found_ids, self.visibility)?
            .into_iter()
            .collect();
        let keys: Vec<String> = checked.iter().map(|(_, _, i)| name_key(&i.name)).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let names: HashMap<(i64, String), i64> = repo::names_taken(conn, &client_ids, &keys)?
            .into_iter()
            .map(|(client, key, id)| ((client, key), id))
            .collect();
        let by_id: HashMap<i64, &Account> = found.iter().map(|a| (a.id, a)).collect();
        let by_ref: HashMap<&str, &Account> = found
            .iter()
            .filter_map(|a| Some((a.external_ref.as_deref()?, a)))
            .collect();

        let at = now();
        let (mut creates, mut updates) = (Vec::new(), Vec::new());
        for (line, id, input) in checked {
            let n = line.number;
            let before = match id {
                Some(id) => match by_id.get(&id).filter(|a| visible.contains(&a.id)) {
                    Some(account) => Some(*account),
                    None => {
                        tally.error(
                            n,
                            "id",
                            ErrorCode::Unknown,
                            format!("account {id} not found"),
                        );
                        continue;
                    }
                },
                None => input
                    .external_ref
                    .as_deref()
                    .and_then(|r| by_ref.get(r))
                    .filter(|a| visible.contains(&a.id))
                    .copied(),
            };
            if before.is_none() && !reached.contains(&input.client_id) {
                let message = format!("there is no client {}", input.client_id);
                tally.error(n, "client_id", ErrorCode::Unknown, message);
                continue;
            }
            if before.is_some_and(|b| b.client_id != input.client_id) {
                let message = "an account stays with its client";
                tally.error(n, "client_id", ErrorCode::Invalid, message);
                continue;
            }
            let after = match before {
                Some(before) => {
                    let mut after = before.clone();
                    apply(&mut after, &line, input);
                    after
                }
                None => Account {
                    id: 0,
                    client_id: input.client_id,
                    name: input.name.trim().to_owned(),
                    status: input.status.unwrap_or(AccountStatus::Active),
                    manager_id: Some(input.manager_id.unwrap_or(self.caller_id)),
                    budget: input.budget,
                    payment_approval_threshold: input.payment_approval_threshold,
                    external_ref: input.external_ref,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                },
            };
            let own = before.map(|b| b.id);
            if let Some(first) = own.and_then(|id| self.ids.earlier(id, n)) {
                let message = format!("updates the same account as line {first}");
                tally.error(n, "id", ErrorCode::Duplicate, message);
            }
            let key = (after.client_id, name_key(&after.name));
            let taken = names.get(&key).is_some_and(|holder| Some(*holder) != own);
            if let Some(first) = self.names.earlier(key, n) {
                let message =
                    format!("line {first} has an account of the same name for this client");
                tally.error(n, "name", ErrorCode::Unique, message);
            } else if taken {
                let message = format!(
                    "client {} already has an account named {:?}",
                    after.client_id, after.name
                );
                tally.error(n, "name", ErrorCode::Unique, message);
            }
            if let Some(r) = after.external_ref.clone() {
                let taken = by_ref.get(r.as_str()).is_some_and(|a| Some(a.id) != own);
                if let Some(first) = self.refs.earlier(r.clone(), n) {
                    let message = format!("line {first} has the same external_ref");
                    tally.error(n, "external_ref", ErrorCode::Unique, message);
                } else if taken {
                    let message = format!("an account with external_ref {r:?} already exists");
                    tally.error(n, "external_ref", ErrorCode::Unique, message);
                }
            }
            // A new manager must be active; an unchanged one may have been deactivated since.
            let new_manager = after
                .manager_id
                .filter(|m| Some(*m) != before.and_then(|b| b.manager_id));
            if let Some(manager) = new_manager {
                if let Some((code, message)) = self.manager_refused(conn, manager)? {
                    tally.error(n, "manager_id", code, message);
                }
            }
            match before {
                None => creates.push(after),
                Some(before) if *before == after => tally.unchanged(),
                Some(before) => updates.push((n, before.clone(), after)),
            }
        }
        if !tally.clean() {
            return Ok(());
        }
        let mut events = Events::default();
        if !creates.is_empty() {
            let new = creates
                .iter()
                .map(|a| NewAccount {
                    client_id: a.client_id,
                    columns: AccountColumns::from(a),
                })
                .collect();
            let created = repo::insert_many(conn, new, at)?;
            tally.created(created.len());
            let records: Vec<_> = created.iter().map(|a| (a.subject(), a)).collect();
            events.push_created(&self.actor, &records);
        }
        for (n, before, after) in updates {
            match Account::write(conn, &before, &after)? {
                Some(updated) => {
                    events.push(
                        &self.actor,
                        "update",
                        updated.subject(),
                        Some(&before),
                        Some(&updated),
                    );
                    tally.updated();
                }
                None => tally.error(
                    n,
                    "",
                    ErrorCode::Invalid,
                    "the account changed while the import ran; import again",
                ),
            }
        }
        events.write(conn)?;
        Ok(())
    }
}
