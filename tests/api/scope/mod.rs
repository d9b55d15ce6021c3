//! The `assigned` scope (DESIGN §3) from the outside: a record beyond a staff member's
//! accounts must not leak through any door — lists, filters, cursors, single reads,
//! writes, error messages or the audit feed (OWASP API1, broken object level
//! authorization).

use std::collections::BTreeSet;

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::recipes::{self, Call, Operation, Scene, Scoping, Subject as Kind};

mod audit;
mod lists;
mod membership;
mod mixed;
mod records;
mod scope_all;

const CLIENTS: &str = "/api/v1/clients";
const ACCOUNTS: &str = "/api/v1/accounts";
const AUDIT: &str = "/api/v1/audit-events";

/// Words that would tell a caller that a record exists but is not theirs.
const HINTS: &[&str] = &[
    "forbidden",
    "scope",
    "assigned",
    "permission",
    "not yours",
    "access",
    "denied",
    "not allowed",
];

/// Four clients: Acme and Initech each have an account the staff member under test works
/// on; Acme also has one they do not; Globex has only one they do not; Umbrella has none.
struct World {
    acme: Value,
    globex: Value,
    initech: Value,
    umbrella: Value,
    /// Acme's account the staff member is on.
    snacks: Value,
    /// Acme's account the staff member is not on.
    drinks: Value,
    /// Globex's only account.
    energy: Value,
    /// Initech's account the staff member is on.
    software: Value,
}

impl World {
    async fn new(app: &TestApp) -> World {
        let acme = app.client("Acme").await;
        let globex = app.client("Globex").await;
        let initech = app.client("Initech").await;
        let umbrella = app.client("Umbrella").await;
        let snacks = app.account(&acme["id"], "Acme Snacks").await;
        let drinks = app.account(&acme["id"], "Acme Drinks").await;
        let energy = app.account(&globex["id"], "Globex Energy").await;
        let software = app.account(&initech["id"], "Initech Software").await;
        World {
            acme,
            globex,
            initech,
            umbrella,
            snacks,
            drinks,
            energy,
            software,
        }
    }

    /// A staff member with `role` on the teams of Acme Snacks and Initech Software only.
    async fn member(&self, app: &TestApp, role: &str) -> (i64, String) {
        let (id, token) = app.staff(role).await;
        app.assign(&self.snacks["id"], id).await;
        app.assign(&self.software["id"], id).await;
        (id, token)
    }
}

fn id_of(record: &Value) -> i64 {
    record["id"].as_i64().expect("numeric id")
}

/// An id no record has.
const MISSING: i64 = 999_999;

async fn get_as(app: &TestApp, token: &str, path: &str) -> Resp {
    app.get(path).token(token).send().await
}

fn data(res: &Resp) -> Vec<Value> {
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["data"].as_array().expect("data array").clone()
}

fn names(res: &Resp) -> Vec<String> {
    data(res)
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn list_names(app: &TestApp, token: &str, path: &str, query: &str) -> Vec<String> {
    names(&get_as(app, token, &format!("{path}?{query}")).await)
}

/// Every name from `query` (which may carry a cursor) to the last page, in the order seen.
async fn walk(app: &TestApp, token: &str, path: &str, query: &str) -> Vec<String> {
    walk_pages(app, token, path, query).await.concat()
}

/// Every audit event the caller can read, oldest first.
async fn feed(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut res = get_as(app, token, &format!("{AUDIT}?limit=200&{query}")).await;
    for _ in 0..100 {
        events.extend(data(&res));
        let Some(cursor) = res.json()["next_cursor"].as_str().map(str::to_owned) else {
            return events;
        };
        res = get_as(
            app,
            token,
            &format!("{AUDIT}?limit=200&{query}&cursor={cursor}"),
        )
        .await;
    }
    panic!("the feed does not end");
}

/// `(resource_type, resource_id)` of each event.
fn subjects(events: &[Value]) -> BTreeSet<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["resource_type"].as_str().unwrap().to_owned(),
                e["resource_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn subject(resource_type: &str, resource_id: impl ToString) -> (String, String) {
    (resource_type.to_owned(), resource_id.to_string())
}

fn team_subject(account: &Value, staff_id: i64) -> (String, String) {
    subject("account_teams", format!("{}/{staff_id}", id_of(account)))
}

/// What a caller can observe of a response, with `id` written as `{id}` wherever it
/// appears as a word and the per-request id left out: two responses with the same shape
/// tell the caller nothing about which id existed.
fn shape(res: &Resp, id: i64) -> Value {
    let id = id.to_string();
    let words = |text: &str| -> String {
        text.split_inclusive(|c: char| !c.is_ascii_alphanumeric())
            .map(|word| {
                let bare = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
                if bare == id {
                    word.replacen(bare, "{id}", 1)
                } else {
                    word.to_owned()
                }
            })
            .collect()
    };
    let mut body: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
    if let Some(object) = body.as_object_mut() {
        object.remove("request_id");
        if let Some(detail) = object.get("detail").and_then(Value::as_str) {
            let detail = words(detail);
            object.insert("detail".into(), detail.into());
        }
        if let Some(errors) = object.get_mut("errors").and_then(Value::as_array_mut) {
            for error in errors {
                if let Some(message) = error.get("message").and_then(Value::as_str) {
                    let message = words(message);
                    error["message"] = message.into();
                }
            }
        }
    }
    json!({
        "status": res.status.as_u16(),
        "content_type": res.header("content-type"),
        "etag": res.header("etag"),
        "location": res.header("location"),
        "body": body,
    })
}

/// Asserts that a response for an out-of-scope id looks exactly like the one for an id
/// that does not exist, and gives no hint of why.
#[track_caller]
fn assert_indistinguishable(door: &str, hidden: (&Resp, i64), missing: (&Resp, i64)) {
    let (hidden_shape, missing_shape) = (shape(hidden.0, hidden.1), shape(missing.0, missing.1));
    assert_eq!(hidden_shape, missing_shape, "{door}");
    // A 403 says what the caller's role lacks, for every id alike.
    if hidden.0.status == 403 {
        return;
    }
    let text = hidden.0.text().to_lowercase();
    for hint in HINTS {
        assert!(!text.contains(hint), "{door} hints with {hint:?}: {text}");
    }
}

/// Each door to one record of `kind`, by id, as `token`: every operation whose recipe acts
/// on such a record, and each of those that takes `If-Match` once more under a stale one,
/// so that an operation added later is a door here by its recipe alone. `staff_id` fills
/// a team member's place. Deletes come last: a door that wrongly opened must not close
/// the others. Returns (door, response).
async fn doors(
    app: &TestApp,
    token: &str,
    kind: Kind,
    id: i64,
    staff_id: i64,
) -> Vec<(String, Resp)> {
    let mut ops: Vec<Operation> = recipes::operations(&suits::openapi::document())
        .into_iter()
        .filter(|op| match recipes::recipe_for(op).map(|r| r.scoping) {
            Ok(Scoping::Record(of)) => of == kind,
            Ok(Scoping::AccountlessClient) => kind == Kind::Client,
            _ => false,
        })
        .collect();
    ops.sort_by_key(|op| op.method == Method::DELETE);
    let scene = Scene {
        subject: Some(id),
        bystander: staff_id,
        newcomer: staff_id,
        ..Scene::default()
    };
    let mut doors = Vec::new();
    for op in &ops {
        let call = Call::new(app, op, &scene).await;
        if op.if_match {
            let req = call.request(app).token(token).header("if-match", "\"99\"");
            doors.push((
                format!("{} under a stale If-Match", op.id),
                req.send().await,
            ));
        }
        doors.push((op.id.clone(), call.request(app).token(token).send().await));
    }
    doors
}

/// Each door to one client.
async fn client_doors(app: &TestApp, token: &str, id: i64) -> Vec<(String, Resp)> {
    let doors = doors(app, token, Kind::Client, id, 0).await;
    assert!(doors.len() >= 7, "the client doors: {}", doors.len());
    doors
}

/// Each door to one account, with `staff_id` as the team member.
async fn account_doors(app: &TestApp, token: &str, id: i64, staff_id: i64) -> Vec<(String, Resp)> {
    let doors = doors(app, token, Kind::Account, id, staff_id).await;
    assert!(doors.len() >= 9, "the account doors: {}", doors.len());
    doors
}

/// Roles whose grants are all `assigned` (or none) on clients and accounts.
const ASSIGNED_ROLES: [&str; 4] = [
    "account_coordinator",
    "account_executive",
    "account_planner",
    "account_manager",
];
