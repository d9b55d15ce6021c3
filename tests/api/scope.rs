//! The `assigned` scope (DESIGN §3) from the outside: a record beyond a staff member's
//! accounts must not leak through any door — lists, filters, cursors, single reads,
//! writes, error messages or the audit feed (OWASP API1, broken object level
//! authorization).

use std::collections::BTreeSet;

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::recipes::{self, Call, Operation, Scene, Scoping, Subject as Kind};

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
    subject("account_team", format!("{}/{staff_id}", id_of(account)))
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

// ---------------------------------------------------------------------------------------
// Lists

#[actix_web::test]
async fn list_clients_shows_only_the_clients_of_the_callers_accounts() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (_, token) = world.member(&app, role).await;
        assert_eq!(
            list_names(&app, &token, CLIENTS, "").await,
            ["Acme", "Initech"],
            "{role}"
        );
    }
}

#[actix_web::test]
async fn list_accounts_shows_only_the_callers_accounts() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (_, token) = world.member(&app, role).await;
        assert_eq!(
            list_names(&app, &token, ACCOUNTS, "").await,
            ["Acme Snacks", "Initech Software"],
            "{role}"
        );
    }
}

#[actix_web::test]
async fn client_filters_aimed_at_out_of_scope_clients_find_nothing() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    for client in [&world.globex, &world.umbrella] {
        let res = app
            .patch(&format!("{CLIENTS}/{}", id_of(client)))
            .token(&app.admin_token())
            .json(json!({"status": "inactive", "industry": "Energy"}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    let empty = Vec::<String>::new();
    for query in [
        "q=Globex",
        "q=globex",
        "q=umbrella",
        "q=e&status=inactive",
        "status=inactive",
        "industry=Energy",
        "health=good&status=inactive",
    ] {
        assert_eq!(list_names(&app, &x, CLIENTS, query).await, empty, "{query}");
    }
    assert_eq!(
        list_names(&app, &x, CLIENTS, "q=e&sort=-name").await,
        ["Initech", "Acme"],
        "in-scope matches are still found"
    );
}

#[actix_web::test]
async fn account_filters_aimed_at_out_of_scope_accounts_find_nothing() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let (other_manager, _) = app.staff("account_manager").await;
    let res = app
        .patch(&format!("{ACCOUNTS}/{}", id_of(&world.energy)))
        .token(&app.admin_token())
        .json(json!({"status": "paused", "manager_id": other_manager}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    let empty = Vec::<String>::new();
    for query in [
        "q=Globex".to_owned(),
        "q=energy".to_owned(),
        "q=drinks".to_owned(),
        format!("client_id={}", id_of(&world.globex)),
        format!("client_id={}", id_of(&world.umbrella)),
        "status=paused".to_owned(),
        format!("manager_id={other_manager}"),
        format!("client_id={}&q=drinks", id_of(&world.acme)),
    ] {
        assert_eq!(
            list_names(&app, &x, ACCOUNTS, &query).await,
            empty,
            "{query}"
        );
    }
    // A client in scope still hides its accounts the caller is not on.
    assert_eq!(
        list_names(
            &app,
            &x,
            ACCOUNTS,
            &format!("client_id={}", id_of(&world.acme))
        )
        .await,
        ["Acme Snacks"]
    );
    assert_eq!(
        list_names(&app, &x, ACCOUNTS, &format!("manager_id={}", app.admin_id)).await,
        ["Acme Snacks", "Initech Software"]
    );
}

#[actix_web::test]
async fn paging_one_at_a_time_never_reaches_out_of_scope_records() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    let clients = BTreeSet::from(["Acme".to_owned(), "Initech".to_owned()]);
    let accounts = BTreeSet::from(["Acme Snacks".to_owned(), "Initech Software".to_owned()]);
    for sort in [
        "name",
        "-name",
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
    ] {
        let query = format!("limit=1&sort={sort}");
        let seen = walk(&app, &x, CLIENTS, &query).await;
        assert_eq!(seen.len(), 2, "{sort}: {seen:?}");
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), clients, "{sort}");
        let seen = walk(&app, &x, ACCOUNTS, &query).await;
        assert_eq!(seen.len(), 2, "{sort}: {seen:?}");
        assert_eq!(
            seen.into_iter().collect::<BTreeSet<_>>(),
            accounts,
            "{sort}"
        );
    }
}

#[actix_web::test]
async fn the_last_in_scope_page_offers_no_next_page() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    // Globex Energy sorts after both of the caller's accounts by name: a next_cursor here
    // would betray that something follows.
    let res = get_as(&app, &x, &format!("{ACCOUNTS}?limit=2&sort=name")).await;
    assert_eq!(names(&res), ["Acme Snacks", "Initech Software"]);
    assert_eq!(res.json()["next_cursor"], Value::Null);
    assert!(res.header("link").is_none());
    let res = get_as(&app, &x, &format!("{CLIENTS}?limit=2&sort=name")).await;
    assert_eq!(names(&res), ["Acme", "Initech"]);
    assert_eq!(res.json()["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn a_cursor_from_an_admins_listing_reveals_nothing_out_of_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    let admin = app.admin_token();

    // The admin's pages by name: Acme Drinks, Acme Snacks, Globex Energy, Initech Software.
    for (limit, expected) in [
        (1, vec!["Acme Snacks", "Initech Software"]),
        (2, vec!["Initech Software"]),
        (3, vec!["Initech Software"]),
    ] {
        let page = get_as(&app, &admin, &format!("{ACCOUNTS}?limit={limit}&sort=name")).await;
        let cursor = page.json()["next_cursor"].as_str().unwrap().to_owned();
        let seen = walk(
            &app,
            &x,
            ACCOUNTS,
            &format!("limit=1&sort=name&cursor={cursor}"),
        )
        .await;
        assert_eq!(seen, expected, "after the admin's first {limit}");
    }

    // The admin's pages by name: Acme, Globex, Initech, Umbrella.
    let page = get_as(&app, &admin, &format!("{CLIENTS}?limit=2&sort=name")).await;
    assert_eq!(names(&page), ["Acme", "Globex"]);
    let cursor = page.json()["next_cursor"].as_str().unwrap().to_owned();
    let seen = walk(
        &app,
        &x,
        CLIENTS,
        &format!("limit=1&sort=name&cursor={cursor}"),
    )
    .await;
    assert_eq!(seen, ["Initech"]);
}

// ---------------------------------------------------------------------------------------
// Single records

#[actix_web::test]
async fn an_out_of_scope_client_answers_every_door_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (_, token) = world.member(&app, role).await;
        let missing = client_doors(&app, &token, MISSING).await;
        for client in [&world.globex, &world.umbrella] {
            let hidden = client_doors(&app, &token, id_of(client)).await;
            for ((door, hidden), (_, missing)) in hidden.iter().zip(&missing) {
                assert_indistinguishable(
                    &format!("{role}: {door} {}", client["name"]),
                    (hidden, id_of(client)),
                    (missing, MISSING),
                );
            }
        }
    }
    let stored = get_as(
        &app,
        &app.admin_token(),
        &format!("{CLIENTS}/{}", id_of(&world.globex)),
    )
    .await;
    assert_eq!(stored.json()["version"], 1, "nothing changed");
}

#[actix_web::test]
async fn an_out_of_scope_client_is_404_to_a_manager() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    for (door, res) in client_doors(&app, &x, id_of(&world.globex)).await {
        let problem = res.problem(404);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&id_of(&world.globex).to_string()),
            "{door}: {problem}"
        );
    }
}

#[actix_web::test]
async fn an_in_scope_client_answers_the_same_doors() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let one = format!("{CLIENTS}/{}", id_of(&world.acme));
    assert_eq!(get_as(&app, &x, &one).await.status, 200);
    let res = app
        .patch(&one)
        .token(&x)
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .put(&format!("{one}/health"))
        .token(&x)
        .json(json!({"health": "watch"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn an_out_of_scope_account_answers_every_door_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (staff_id, token) = world.member(&app, role).await;
        let missing = account_doors(&app, &token, MISSING, staff_id).await;
        // Acme Drinks belongs to a client in scope; Globex Energy to one out of it.
        for account in [&world.drinks, &world.energy] {
            let hidden = account_doors(&app, &token, id_of(account), staff_id).await;
            for ((door, hidden), (_, missing)) in hidden.iter().zip(&missing) {
                assert_indistinguishable(
                    &format!("{role}: {door} {}", account["name"]),
                    (hidden, id_of(account)),
                    (missing, MISSING),
                );
            }
        }
    }
    let admin = app.admin_token();
    for account in [&world.drinks, &world.energy] {
        let url = format!("{ACCOUNTS}/{}", id_of(account));
        assert_eq!(get_as(&app, &admin, &url).await.json()["version"], 1);
        let team = get_as(&app, &admin, &format!("{url}/team")).await;
        assert_eq!(data(&team), Vec::<Value>::new(), "nobody joined");
    }
}

#[actix_web::test]
async fn an_out_of_scope_account_and_its_team_are_404_to_a_manager() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_manager").await;
    for (door, res) in account_doors(&app, &x, id_of(&world.energy), x_id).await {
        let problem = res.problem(404);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&id_of(&world.energy).to_string()),
            "{door}: {problem}"
        );
    }
}

#[actix_web::test]
async fn creating_an_account_for_an_out_of_scope_client_is_422_like_an_unknown_one() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let create = |client_id: i64| {
        app.post(ACCOUNTS)
            .token(&x)
            .json(json!({"client_id": client_id, "name": "New Line"}))
            .send()
    };
    let missing = create(MISSING).await;
    let problem = missing.problem(422);
    assert_eq!(missing.error_fields(), ["client_id"], "{problem}");
    for client in [&world.globex, &world.umbrella] {
        let hidden = create(id_of(client)).await;
        assert_indistinguishable(
            &format!("create account for {}", client["name"]),
            (&hidden, id_of(client)),
            (&missing, MISSING),
        );
    }
    let res = create(id_of(&world.acme)).await;
    assert_eq!(res.status, 201, "a client in scope is fine: {}", res.text());
    let admin_view = get_as(
        &app,
        &app.admin_token(),
        &format!("{ACCOUNTS}?client_id={}", id_of(&world.globex)),
    )
    .await;
    assert_eq!(names(&admin_view), ["Globex Energy"], "nothing was created");
}

// ---------------------------------------------------------------------------------------
// Audit feed

/// Mutations on every client and account, by the admin, after the world is built.
async fn stir(app: &TestApp, world: &World) {
    let admin = app.admin_token();
    for client in [&world.acme, &world.globex, &world.initech, &world.umbrella] {
        let res = app
            .patch(&format!("{CLIENTS}/{}", id_of(client)))
            .token(&admin)
            .json(json!({"industry": "Retail"}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    for account in [&world.snacks, &world.drinks, &world.energy, &world.software] {
        let res = app
            .patch(&format!("{ACCOUNTS}/{}", id_of(account)))
            .token(&admin)
            .json(json!({"budget": {"amount_minor": 100, "currency": "EUR"}}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
}

#[actix_web::test]
async fn the_audit_feed_of_an_assigned_reader_holds_only_events_in_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_manager").await;
    let (other, _) = app.staff("account_executive").await;
    app.assign(&world.energy["id"], other).await;
    app.assign(&world.drinks["id"], other).await;
    stir(&app, &world).await;

    let events = feed(&app, &x, "").await;
    let seen = subjects(&events);
    let expected = BTreeSet::from([
        subject("client", id_of(&world.acme)),
        subject("client", id_of(&world.initech)),
        subject("account", id_of(&world.snacks)),
        subject("account", id_of(&world.software)),
        team_subject(&world.snacks, x_id),
        team_subject(&world.software, x_id),
    ]);
    assert_eq!(seen, expected, "{events:#?}");
    let actions: BTreeSet<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        BTreeSet::from([
            "clients.create",
            "clients.update",
            "accounts.create",
            "accounts.update",
            "accounts.assign",
        ])
    );
}

#[actix_web::test]
async fn audit_filters_aimed_at_out_of_scope_records_find_nothing() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let (other, _) = app.staff("account_executive").await;
    app.assign(&world.energy["id"], other).await;
    stir(&app, &world).await;

    let queries = [
        format!("resource_type=client&resource_id={}", id_of(&world.globex)),
        format!(
            "resource_type=client&resource_id={}",
            id_of(&world.umbrella)
        ),
        format!("resource_type=account&resource_id={}", id_of(&world.energy)),
        format!("resource_type=account&resource_id={}", id_of(&world.drinks)),
        format!(
            "resource_type=account_team&resource_id={}%2F{other}",
            id_of(&world.energy)
        ),
        format!("resource_id={}", id_of(&world.globex)),
    ];
    for query in &queries {
        let admin_sees = feed(&app, &app.admin_token(), query).await;
        assert!(!admin_sees.is_empty(), "the events exist: {query}");
        assert_eq!(feed(&app, &x, query).await, Vec::<Value>::new(), "{query}");
    }
    let by_admin = feed(&app, &x, &format!("actor_id={}", app.admin_id)).await;
    assert!(!by_admin.is_empty());
    for event in &by_admin {
        let about = (
            event["resource_type"].as_str().unwrap().to_owned(),
            event["resource_id"].as_str().unwrap().to_owned(),
        );
        assert!(
            ![
                subject("client", id_of(&world.globex)),
                subject("client", id_of(&world.umbrella)),
                subject("account", id_of(&world.energy)),
                subject("account", id_of(&world.drinks)),
            ]
            .contains(&about),
            "{event}"
        );
    }
}

#[actix_web::test]
async fn paging_the_audit_feed_one_at_a_time_never_reaches_out_of_scope_events() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    stir(&app, &world).await;
    let all = feed(&app, &x, "").await;
    for sort in ["occurred_at", "-occurred_at"] {
        let mut one_by_one = Vec::new();
        let mut res = get_as(&app, &x, &format!("{AUDIT}?limit=1&sort={sort}")).await;
        for _ in 0..200 {
            one_by_one.extend(data(&res));
            let Some(cursor) = res.json()["next_cursor"].as_str().map(str::to_owned) else {
                break;
            };
            res = get_as(
                &app,
                &x,
                &format!("{AUDIT}?limit=1&sort={sort}&cursor={cursor}"),
            )
            .await;
        }
        if sort.starts_with('-') {
            one_by_one.reverse();
        }
        assert_eq!(one_by_one, all, "{sort}");
    }
}

#[actix_web::test]
async fn an_assigned_reader_sees_no_staff_or_role_events() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    for resource_type in ["staff", "role"] {
        let admin_sees = feed(
            &app,
            &app.admin_token(),
            &format!("resource_type={resource_type}"),
        )
        .await;
        assert!(!admin_sees.is_empty(), "{resource_type} events exist");
        assert_eq!(
            feed(&app, &x, &format!("resource_type={resource_type}")).await,
            Vec::<Value>::new(),
            "{resource_type}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// How one comes into scope, and leaves it

#[actix_web::test]
async fn the_manager_of_an_account_is_in_scope_without_being_on_its_team() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (manager_id, manager) = app.staff("account_manager").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    let res = app
        .patch(&energy)
        .token(&app.admin_token())
        .json(json!({"manager_id": manager_id}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    let res = get_as(&app, &manager, &energy).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    assert_eq!(
        get_as(&app, &manager, &format!("{energy}/team"))
            .await
            .status,
        200
    );
    let globex = format!("{CLIENTS}/{}", id_of(&world.globex));
    assert_eq!(get_as(&app, &manager, &globex).await.status, 200);
    assert_eq!(
        list_names(&app, &manager, ACCOUNTS, "").await,
        ["Globex Energy"]
    );
    assert_eq!(list_names(&app, &manager, CLIENTS, "").await, ["Globex"]);
    let events = feed(&app, &manager, "").await;
    assert!(subjects(&events).contains(&subject("account", id_of(&world.energy))));
}

#[actix_web::test]
async fn changing_the_manager_removes_the_old_managers_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (manager_id, manager) = app.staff("account_manager").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    let globex = format!("{CLIENTS}/{}", id_of(&world.globex));
    let set_manager = |id: i64| {
        app.patch(&energy)
            .token(&app.admin_token())
            .json(json!({"manager_id": id}))
            .send()
    };
    assert_eq!(set_manager(manager_id).await.status, 200);
    assert_eq!(get_as(&app, &manager, &energy).await.status, 200);

    assert_eq!(set_manager(app.admin_id).await.status, 200);
    get_as(&app, &manager, &energy).await.problem(404);
    get_as(&app, &manager, &globex).await.problem(404);
    assert_eq!(
        list_names(&app, &manager, ACCOUNTS, "").await,
        Vec::<String>::new()
    );
    assert_eq!(
        list_names(&app, &manager, CLIENTS, "").await,
        Vec::<String>::new()
    );
    assert_eq!(feed(&app, &manager, "").await, Vec::<Value>::new());
}

#[actix_web::test]
async fn a_manager_who_hands_their_account_over_loses_it() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (manager_id, manager) = app.staff("account_manager").await;
    let (successor, _) = app.staff("account_manager").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    app.patch(&energy)
        .token(&app.admin_token())
        .json(json!({"manager_id": manager_id}))
        .send()
        .await;
    let res = app
        .patch(&energy)
        .token(&manager)
        .json(json!({"manager_id": successor}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!([]), "no longer theirs");
    get_as(&app, &manager, &energy).await.problem(404);
}

#[actix_web::test]
async fn taking_a_member_off_the_team_removes_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_manager").await;
    let snacks = format!("{ACCOUNTS}/{}", id_of(&world.snacks));
    let acme = format!("{CLIENTS}/{}", id_of(&world.acme));
    assert_eq!(get_as(&app, &x, &snacks).await.status, 200);

    let res = app
        .delete(&format!("{snacks}/team/{x_id}"))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    get_as(&app, &x, &snacks).await.problem(404);
    get_as(&app, &x, &acme).await.problem(404);
    assert_eq!(
        list_names(&app, &x, ACCOUNTS, "").await,
        ["Initech Software"]
    );
    assert_eq!(list_names(&app, &x, CLIENTS, "").await, ["Initech"]);
    let seen = subjects(&feed(&app, &x, "").await);
    assert!(
        !seen.contains(&subject("client", id_of(&world.acme))),
        "{seen:?}"
    );
    assert!(
        !seen.contains(&subject("account", id_of(&world.snacks))),
        "{seen:?}"
    );
}

#[actix_web::test]
async fn deleting_the_callers_only_account_of_a_client_takes_the_client_out_of_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    let res = app
        .delete(&format!("{ACCOUNTS}/{}", id_of(&world.software)))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    get_as(&app, &x, &format!("{CLIENTS}/{}", id_of(&world.initech)))
        .await
        .problem(404);
    assert_eq!(list_names(&app, &x, CLIENTS, "").await, ["Acme"]);
}

#[actix_web::test]
async fn being_added_to_a_team_grants_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_executive").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    get_as(&app, &x, &energy).await.problem(404);
    app.assign(&world.energy["id"], x_id).await;
    assert_eq!(get_as(&app, &x, &energy).await.status, 200);
    assert_eq!(
        get_as(&app, &x, &format!("{CLIENTS}/{}", id_of(&world.globex)))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_manager_adding_someone_to_their_account_brings_them_into_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let (planner_id, planner) = app.staff("account_planner").await;
    let snacks = format!("{ACCOUNTS}/{}", id_of(&world.snacks));
    let res = app
        .put(&format!("{snacks}/team/{planner_id}"))
        .token(&x)
        .json(json!({"role_on_account": "planner"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(
        list_names(&app, &planner, ACCOUNTS, "").await,
        ["Acme Snacks"]
    );
}

// ---------------------------------------------------------------------------------------
// Scope `all`

#[actix_web::test]
async fn a_director_sees_every_client_account_and_event() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, director) = app.staff("account_director").await;
    assert_eq!(
        list_names(&app, &director, CLIENTS, "sort=name").await,
        ["Acme", "Globex", "Initech", "Umbrella"]
    );
    assert_eq!(
        list_names(&app, &director, ACCOUNTS, "sort=name").await,
        [
            "Acme Drinks",
            "Acme Snacks",
            "Globex Energy",
            "Initech Software"
        ]
    );
    let res = get_as(
        &app,
        &director,
        &format!("{ACCOUNTS}/{}", id_of(&world.energy)),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    let res = get_as(
        &app,
        &director,
        &format!("{CLIENTS}/{}", id_of(&world.umbrella)),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["allowed_actions"],
        json!(["update", "delete", "set_health"])
    );
    let seen = subjects(&feed(&app, &director, "").await);
    assert!(seen.contains(&subject("client", id_of(&world.umbrella))));
    assert!(seen.contains(&subject("account", id_of(&world.energy))));
}

// ---------------------------------------------------------------------------------------
// Mixed scopes: allowed_actions

async fn custom_role(app: &TestApp, key: &str, permissions: Value) {
    let res = app
        .post("/api/v1/roles")
        .token(&app.admin_token())
        .json(json!({"key": key, "name": key, "permissions": permissions}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
}

#[actix_web::test]
async fn a_client_out_of_write_scope_is_readable_with_no_allowed_actions() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    custom_role(
        &app,
        "client_lead",
        json!([
            {"permission": "clients.read", "scope": "all"},
            {"permission": "clients.write", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, lead) = world.member(&app, "client_lead").await;

    let res = get_as(&app, &lead, &format!("{CLIENTS}/{}", id_of(&world.acme))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!(["update", "delete"]));
    for client in [&world.globex, &world.umbrella] {
        let res = get_as(&app, &lead, &format!("{CLIENTS}/{}", id_of(client))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(
            res.json()["allowed_actions"],
            json!([]),
            "{}",
            client["name"]
        );
    }
    assert_eq!(
        list_names(&app, &lead, CLIENTS, "sort=name").await,
        ["Acme", "Globex", "Initech", "Umbrella"]
    );
}

#[actix_web::test]
async fn a_readable_client_out_of_write_scope_cannot_be_changed() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    custom_role(
        &app,
        "client_lead",
        json!([
            {"permission": "clients.read", "scope": "all"},
            {"permission": "clients.write", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, lead) = world.member(&app, "client_lead").await;
    let globex = format!("{CLIENTS}/{}", id_of(&world.globex));
    // Out of the write scope is "not found" for writing (DESIGN §3), whatever reading says.
    app.patch(&globex)
        .token(&lead)
        .json(json!({"industry": "Food"}))
        .send()
        .await
        .problem(404);
    app.delete(&globex).token(&lead).send().await.problem(404);
    let stored = get_as(&app, &app.admin_token(), &globex).await.json();
    assert_eq!(stored["version"], 1);
    let res = app
        .patch(&format!("{CLIENTS}/{}", id_of(&world.acme)))
        .token(&lead)
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn an_account_out_of_write_scope_is_readable_with_no_allowed_actions() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    custom_role(
        &app,
        "account_lead",
        json!([
            {"permission": "accounts.read", "scope": "all"},
            {"permission": "accounts.write", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, lead) = world.member(&app, "account_lead").await;
    let res = get_as(&app, &lead, &format!("{ACCOUNTS}/{}", id_of(&world.snacks))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!(["update", "delete"]));
    let res = get_as(&app, &lead, &format!("{ACCOUNTS}/{}", id_of(&world.energy))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!([]));
}
