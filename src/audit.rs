//! Audit events: every successful mutation records one inside its own transaction, so an
//! event exists exactly when the change does.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::db::schema::audit_events;
use crate::db::DbConn;
use crate::time::now;

/// Fields every record has that say nothing about what changed.
const IGNORED_FIELDS: &[&str] = &["id", "version", "created_at", "updated_at"];

/// Who caused a change: a staff member, or the system itself (first start, CLI).
#[derive(Debug, Clone)]
pub struct Actor {
    pub staff_id: Option<i64>,
    pub request_id: String,
}

impl Actor {
    pub fn system(request_id: &str) -> Self {
        Actor {
            staff_id: None,
            request_id: request_id.to_owned(),
        }
    }
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Self {
        Actor {
            staff_id: Some(caller.staff_id),
            request_id: caller.request_id.clone(),
        }
    }
}

/// The record an event is about, and the client and account it belongs to: what decides
/// who may read the event under an `assigned` scope.
#[derive(Debug, Clone)]
pub struct Subject {
    pub resource_type: &'static str,
    pub resource_id: String,
    pub client_id: Option<i64>,
    pub account_id: Option<i64>,
}

impl Subject {
    /// A record outside any client or account (staff, roles).
    pub fn new(resource_type: &'static str, resource_id: impl ToString) -> Self {
        Subject {
            resource_type,
            resource_id: resource_id.to_string(),
            client_id: None,
            account_id: None,
        }
    }

    pub fn client(id: i64) -> Self {
        Subject {
            client_id: Some(id),
            ..Subject::new("clients", id)
        }
    }

    pub fn account(id: i64, client_id: i64) -> Self {
        Subject {
            client_id: Some(client_id),
            account_id: Some(id),
            ..Subject::new("accounts", id)
        }
    }

    /// A record that belongs to an account: a brief, an approval, a creative round.
    pub fn of_account(
        resource_type: &'static str,
        id: i64,
        account_id: i64,
        client_id: i64,
    ) -> Self {
        Subject {
            client_id: Some(client_id),
            account_id: Some(account_id),
            ..Subject::new(resource_type, id)
        }
    }

    pub fn brief(id: i64, account_id: i64, client_id: i64) -> Self {
        Subject::of_account("briefs", id, account_id, client_id)
    }

    /// One staff member's place on an account's team.
    pub fn team_member(account_id: i64, client_id: i64, staff_id: i64) -> Self {
        Subject {
            client_id: Some(client_id),
            account_id: Some(account_id),
            ..Subject::new("account_teams", format!("{account_id}/{staff_id}"))
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct NewEvent {
    occurred_at: chrono::NaiveDateTime,
    actor_id: Option<i64>,
    action: String,
    resource_type: &'static str,
    resource_id: String,
    changes: String,
    request_id: String,
    client_id: Option<i64>,
    account_id: Option<i64>,
}

impl NewEvent {
    fn with_changes(actor: &Actor, verb: &str, subject: Subject, changes: String) -> Self {
        NewEvent {
            occurred_at: now(),
            actor_id: actor.staff_id,
            action: format!("{}.{verb}", subject.resource_type),
            resource_type: subject.resource_type,
            resource_id: subject.resource_id,
            changes,
            request_id: actor.request_id.clone(),
            client_id: subject.client_id,
            account_id: subject.account_id,
        }
    }

    fn new<B: Serialize, A: Serialize>(
        actor: &Actor,
        verb: &str,
        subject: Subject,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Self {
        let to_value = |v: Option<Value>| v.unwrap_or(Value::Null);
        let changes = match (before, after) {
            (None, Some(after)) => creation_changes(after),
            (before, after) => {
                let before = to_value(before.and_then(|b| serde_json::to_value(b).ok()));
                let after = to_value(after.and_then(|a| serde_json::to_value(a).ok()));
                Value::Object(diff(&before, &after)).to_string()
            }
        };
        NewEvent::with_changes(actor, verb, subject, changes)
    }
}

/// The event of a creation: every field of `record`, from nothing.
pub fn created<R: Serialize>(
    conn: &mut DbConn,
    actor: &Actor,
    subject: Subject,
    record: &R,
) -> QueryResult<()> {
    write(conn, actor, "create", subject, None::<&R>, Some(record))
}

/// Records `verb` (`create`, `update`, …) done to `subject`, with the fields that changed
/// between `before` and `after` (either may be absent: create, delete). The action is
/// always `<resource_type>.<verb>`, e.g. `clients.update`: one form for every resource.
pub fn write<B: Serialize, A: Serialize>(
    conn: &mut DbConn,
    actor: &Actor,
    verb: &str,
    subject: Subject,
    before: Option<&B>,
    after: Option<&A>,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(NewEvent::new(actor, verb, subject, before, after))
        .execute(conn)?;
    Ok(())
}

/// The changes a creation records, made of the record before it is stored: they leave
/// out what storing it sets (`id`, `version`, the timestamps), so they are the same of
/// the draft as of the stored row. An import makes them while the batch before is
/// written, rather than while the database waits.
pub struct Created(String);

impl Created {
    pub fn of<R: Serialize>(draft: &R) -> Self {
        Created(creation_changes(draft))
    }
}

/// Events of many changes made in one transaction (an import), written a batch at a
/// time: the same events [`write`] records, in one statement per batch.
#[derive(Default)]
pub struct Events(Vec<NewEvent>);

impl Events {
    /// As [`write`] would record it.
    pub fn push<B: Serialize, A: Serialize>(
        &mut self,
        actor: &Actor,
        verb: &str,
        subject: Subject,
        before: Option<&B>,
        after: Option<&A>,
    ) {
        self.0
            .push(NewEvent::new(actor, verb, subject, before, after));
    }

    /// As [`push`](Self::push) of a `create`, of changes made before the record was
    /// stored.
    pub fn push_creation(&mut self, actor: &Actor, subject: Subject, changes: Created) {
        self.0
            .push(NewEvent::with_changes(actor, "create", subject, changes.0));
    }

    /// As [`push`](Self::push) of a `create` for each of `records`: a batch of an
    /// import's new rows.
    pub fn push_created<R: Serialize>(&mut self, actor: &Actor, records: &[(Subject, &R)]) {
        self.0.extend(records.iter().map(|(subject, record)| {
            NewEvent::new(actor, "create", subject.clone(), None::<&R>, Some(*record))
        }));
    }

    /// Writes the events pushed so far (a multi-row insert is written per backend: it
    /// does not compile through the connection enum).
    pub fn write(&mut self, conn: &mut DbConn) -> QueryResult<()> {
        // 9 columns: 1000 rows stay far below either backend's limit on parameters.
        for events in self.0.chunks(1000) {
            match conn {
                DbConn::Pg(conn) => write_copy(conn, events)?,
                DbConn::Sqlite(conn) => diesel::insert_into(audit_events::table)
                    .values(events)
                    .execute(conn)?,
            };
        }
        self.0.clear();
        Ok(())
    }
}

/// On PostgreSQL the events go by `COPY` (binary): the way PostgreSQL loads rows
/// fastest, with no statement to parse or plan per batch.
fn write_copy(conn: &mut diesel::PgConnection, events: &[NewEvent]) -> QueryResult<usize> {
    diesel::copy_from(audit_events::table)
        .from_insertable(events)
        .execute(conn)
}

/// What [`diff`] makes of a creation, written straight from the record: with nothing
/// before, every field that has a value changed from `null`. The record is serialized
/// once and its top-level fields are copied out as they were written, not rebuilt as a
/// tree of values (a creation is the bulk of an import's events).
fn creation_changes<R: Serialize>(record: &R) -> String {
    let json = serde_json::to_string(record).unwrap_or_default();
    // Sorted by key, as `diff`'s own map writes them. Borrowed, so a key written with an
    // escape (none of a record's field names) takes the general way below.
    let fields: Option<BTreeMap<&str, &RawValue>> = serde_json::from_str(&json).ok();
    let Some(fields) = fields else {
        let after = serde_json::to_value(record).unwrap_or(Value::Null);
        return Value::Object(diff(&Value::Null, &after)).to_string();
    };
    let mut out = String::with_capacity(512);
    out.push('{');
    for (key, value) in &fields {
        if value.get() == "null" || IGNORED_FIELDS.contains(key) {
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push('"');
        out.push_str(key);
        out.push('"');
        out.push_str(":{\"after\":");
        out.push_str(value.get());
        out.push_str(",\"before\":null}");
    }
    out.push('}');
    out
}

/// `{field: {"before": …, "after": …}}` for every field whose value differs.
pub fn diff(before: &Value, after: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    for key in before.keys().chain(after.keys()) {
        if IGNORED_FIELDS.contains(&key.as_str()) || changes.contains_key(key) {
            continue;
        }
        let old = before.get(key).unwrap_or(&Value::Null);
        let new = after.get(key).unwrap_or(&Value::Null);
        if old != new {
            let mut change = Map::new();
            change.insert("before".into(), old.clone());
            change.insert("after".into(), new.clone());
            changes.insert(key.clone(), Value::Object(change));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_creation_reads_as_the_diff_from_nothing() {
        let record = json!({
            "id": 7, "name": "Acme \"Foods\"", "legal_name": null, "tags": ["a", "b"],
            "budget": {"amount_minor": 100, "currency": "EUR"}, "active": true,
            "version": 1, "created_at": "2026-01-01T00:00:00Z", "zeta": 0
        });
        let expected = Value::Object(diff(&Value::Null, &record)).to_string();
        assert_eq!(creation_changes(&record), expected);
    }
}
