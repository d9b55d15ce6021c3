//! The permission matrix (DESIGN §3), tested whole and derived rather than hand-listed:
//! the operations and the permission each needs come from the OpenAPI document, the
//! roles and what they grant from `GET /roles` on the running app. The only table it
//! needs says how to *call* each operation (`recipes.rs`) — on which record, so that the
//! record can be put in or out of the caller's scope; whether a role may is never written
//! down, so a new endpoint or a changed matrix is covered without touching this file —
//! and an endpoint without a recipe fails the test instead of slipping past it.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use serde_json::{json, Value};
use suits::auth::Scope;

use crate::helpers::*;
use crate::recipes::*;

/// The custom role the matrix also runs against: a mix no built-in role has (writing
/// and setting health without reading, assigning without writing), with both scopes on
/// clients and accounts.
const ODD_ROLE: &str = "odd_mix";

fn odd_role_grants() -> Value {
    json!([
        {"permission": "accounts.read", "scope": "all"},
        {"permission": "accounts.assign", "scope": "assigned"},
        {"permission": "clients.health", "scope": "assigned"},
        {"permission": "clients.write", "scope": "all"},
        {"permission": "audit.read", "scope": "assigned"},
    ])
}

/// What the served matrix says a role holds.
struct RoleGrants {
    key: String,
    grants: HashMap<String, Scope>,
}

/// Where the case's record stands relative to the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Situation {
    /// On the team of the account (or of an account of the client).
    InScope,
    /// Assigned to nobody but a bystander: the caller has no tie to it.
    OutOfScope,
    /// The operation has no record in scope or out of it.
    Unscoped,
}

impl Situation {
    fn of(scoping: Scoping) -> &'static [Situation] {
        match scoping {
            Scoping::None => &[Situation::Unscoped],
            _ => &[Situation::InScope, Situation::OutOfScope],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Situation::InScope => "in scope",
            Situation::OutOfScope => "out of scope",
            Situation::Unscoped => "unscoped",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Success,
    /// 200, with the subject's records shown or not; with `only`, nothing else shown.
    Listed {
        shown: bool,
        only: bool,
    },
    Forbidden,
    /// As if the record did not exist.
    NotFound,
    /// A 422 on the field, as if the record it names did not exist.
    Unknown(&'static str),
    /// Past the permission and the scope, stopped by the record's state.
    Conflict,
}

impl Expect {
    fn label(self) -> &'static str {
        match self {
            Expect::Success => "success",
            Expect::Listed { shown: true, .. } => "listed, shown",
            Expect::Listed { shown: false, .. } => "listed, hidden",
            Expect::Forbidden => "403",
            Expect::NotFound => "404 as missing",
            Expect::Unknown(_) => "422 as unknown",
            Expect::Conflict => "409",
        }
    }
}

/// The outcome a grant (or its absence) leads to for a record in `situation`. Out of
/// scope must be indistinguishable from missing: a 404, an unknown reference, or a list
/// without it.
fn expected(grant: Option<Scope>, situation: Situation, scoping: Scoping) -> Expect {
    let Some(scope) = grant else {
        return Expect::Forbidden;
    };
    let reached = scope == Scope::All || situation != Situation::OutOfScope;
    match scoping {
        Scoping::List(..) => Expect::Listed {
            shown: reached,
            only: scope == Scope::Assigned,
        },
        Scoping::CreateUnder(field, _) if !reached => Expect::Unknown(field),
        _ if !reached => Expect::NotFound,
        // Being in scope means the client has an account: the caller's.
        Scoping::AccountlessClient if situation == Situation::InScope => Expect::Conflict,
        _ => Expect::Success,
    }
}

/// The problem in `res`, if it is one with `status`.
fn problem(res: &Resp, status: StatusCode) -> Result<Value, String> {
    if res.status != status {
        return Err(format!("status {}", res.status));
    }
    if res.header("content-type") != Some("application/problem+json") {
        return Err(format!("content type {:?}", res.header("content-type")));
    }
    let body: Value = serde_json::from_slice(&res.body).unwrap_or_default();
    if body["status"] != status.as_u16() {
        return Err(format!("problem status member {}", body["status"]));
    }
    Ok(body)
}

/// Why `res` is not a 403 problem naming `permission`, if it is not.
fn forbidden_problem(res: &Resp, permission: &str) -> Option<String> {
    match problem(res, StatusCode::FORBIDDEN) {
        Err(got) => Some(got),
        Ok(body)
            if !body["detail"]
                .as_str()
                .is_some_and(|d| d.contains(permission)) =>
        {
            Some(format!("the problem does not name {permission}"))
        }
        Ok(_) => None,
    }
}

/// `text` with `id` written as `{id}` wherever it stands as a whole number.
fn without_id(text: &str, id: i64) -> String {
    let id = id.to_string();
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(&id) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + id.len()..].chars().next();
        let whole = !before.is_some_and(|c| c.is_ascii_digit())
            && !after.is_some_and(|c| c.is_ascii_digit());
        out.push_str(&rest[..at]);
        out.push_str(if whole { "{id}" } else { &id });
        rest = &rest[at + id.len()..];
    }
    out.push_str(rest);
    out
}

/// A problem body with the record's id abstracted and the per-request id dropped.
fn problem_shape(body: &Value, id: i64) -> Value {
    match body {
        Value::String(s) => Value::String(without_id(s, id)),
        Value::Number(n) if n.as_i64() == Some(id) => Value::String("{id}".into()),
        Value::Array(items) => items.iter().map(|v| problem_shape(v, id)).collect(),
        Value::Object(fields) => fields
            .iter()
            .filter(|(k, _)| *k != "request_id")
            .map(|(k, v)| (k.clone(), problem_shape(v, id)))
            .collect(),
        other => other.clone(),
    }
}

/// Why the out-of-scope answer `res` differs from the answer about a record that does
/// not exist, if it does: telling them apart would reveal that the record exists.
async fn differs_from_missing(
    app: &TestApp,
    op: &Operation,
    scene: &Scene,
    token: &str,
    res: &Resp,
    status: StatusCode,
) -> Option<String> {
    let got = match problem(res, status) {
        Ok(body) => body,
        Err(got) => return Some(got),
    };
    let missing = Scene {
        subject: Some(MISSING_ID),
        ..scene.clone()
    };
    let reference = perform(app, op, &missing, Some(token)).await;
    let want = match problem(&reference, status) {
        Ok(body) => body,
        Err(got) => return Some(format!("a missing record gets {got}, not {status}")),
    };
    let subject = scene.subject.expect("a subject");
    let (got, want) = (
        problem_shape(&got, subject),
        problem_shape(&want, MISSING_ID),
    );
    (got != want).then(|| format!("{got} is not shaped like a missing record's {want}"))
}

/// Whether a list item is one of the subject's records.
fn of_subject(shows: Shows, scene: &Scene, item: &Value) -> bool {
    let is = |id: Option<i64>, value: &Value| id.is_some() && value.as_i64() == id;
    match shows {
        Shows::Id => is(scene.subject, &item["id"]),
        Shows::AuditTrail => {
            let resource = item["resource_id"].as_str().unwrap_or_default();
            let named = |id: Option<i64>| id.is_some_and(|id| resource == id.to_string());
            match item["resource_type"].as_str() {
                Some("clients") => named(scene.client),
                Some("accounts") => named(scene.account),
                Some("account_teams") => scene.account.is_some_and(|account| {
                    resource.split('/').next() == Some(account.to_string().as_str())
                }),
                _ => false,
            }
        }
    }
}

/// Whether `shown` (the items of the subject) is all the list must show of it.
fn shows_all(shows: Shows, shown: &[&Value]) -> bool {
    match shows {
        Shows::Id => shown.len() == 1,
        Shows::AuditTrail => ["clients", "accounts", "account_teams"]
            .iter()
            .all(|t| shown.iter().any(|e| e["resource_type"] == *t)),
    }
}

/// Why the list `res` is wrong, if it is.
fn list_failure(
    res: &Resp,
    shows: Shows,
    scene: &Scene,
    shown: bool,
    only: bool,
) -> Option<String> {
    if res.status != StatusCode::OK {
        return Some(format!("expected 200, got {}", res.status));
    }
    let page = res.json();
    let Some(data) = page["data"].as_array() else {
        return Some("no data array".into());
    };
    let (subjects, others): (Vec<&Value>, Vec<&Value>) =
        data.iter().partition(|item| of_subject(shows, scene, item));
    if shown && !shows_all(shows, &subjects) {
        return Some(format!(
            "the subject's records are missing from the {} listed",
            data.len()
        ));
    }
    if !shown && !subjects.is_empty() {
        return Some(format!("out-of-scope records are listed: {subjects:?}"));
    }
    if only && !others.is_empty() {
        return Some(format!(
            "records the caller has no assignment to are listed: {others:?}"
        ));
    }
    None
}

async fn served_roles(app: &TestApp) -> Vec<RoleGrants> {
    let res = app
        .get("/api/v1/roles")
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "list roles: {}", res.text());
    res.json()["data"]
        .as_array()
        .expect("roles data")
        .iter()
        .map(|role| RoleGrants {
            key: role["key"].as_str().expect("role key").to_owned(),
            grants: role["permissions"]
                .as_array()
                .expect("role permissions")
                .iter()
                .map(|g| {
                    let scope = g["scope"].as_str().and_then(Scope::parse);
                    (
                        g["permission"].as_str().expect("permission").to_owned(),
                        scope.expect("scope"),
                    )
                })
                .collect(),
        })
        .collect()
}

#[actix_web::test]
async fn every_operation_for_every_role_in_and_out_of_scope_follows_the_matrix() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let res = app
        .post("/api/v1/roles")
        .token(&admin)
        .json(json!({"key": ODD_ROLE, "name": "Odd mix", "permissions": odd_role_grants()}))
        .send()
        .await;
    assert_eq!(res.status, 201, "create {ODD_ROLE}: {}", res.text());

    let spec = app.get("/api/v1/openapi.json").send().await.json();
    let ops = operations(&spec);
    check_recipes(&ops);
    let roles = served_roles(&app).await;
    let keys: Vec<&str> = roles.iter().map(|r| r.key.as_str()).collect();
    for built_in in suits::auth::permissions::BUILT_IN_ROLES
        .iter()
        .map(|r| r.key)
        .chain([ODD_ROLE])
    {
        assert!(
            keys.contains(&built_in),
            "GET /roles lacks {built_in}: {keys:?}"
        );
    }
    let cast = Cast::new(&app).await;

    let mut failures = Vec::new();
    for op in &ops {
        let scoping = recipe_for(op).expect("checked").scoping;
        // Out of scope: there is no caller to assign.
        let scene = stage(&app, &cast, scoping, None).await;
        let res = perform(&app, op, &scene, None).await;
        let unauthenticated_ok = match op.requirement {
            Requirement::Public => {
                Ok(res.status) == success_of(op, recipe_for(op).expect("checked"))
            }
            _ => problem(&res, StatusCode::UNAUTHORIZED).is_ok(),
        };
        if !unauthenticated_ok {
            failures.push(format!(
                "{} without a token: {} {}",
                op.name(),
                res.status,
                res.text()
            ));
        }
    }

    let mut cases = 0;
    // What the cases expected, so a run shows that every kind of outcome was exercised.
    let mut tally: HashMap<&str, usize> = HashMap::new();
    for role in &roles {
        for op in &ops {
            let recipe = recipe_for(op).expect("checked");
            for &situation in Situation::of(recipe.scoping) {
                // A staff member per case, so nothing one case does can affect another,
                // and an assigned caller's lists hold this case's records and nothing else.
                let (caller, token) = app.staff(&role.key).await;
                let in_scope = (situation == Situation::InScope).then_some(caller);
                let scene = stage(&app, &cast, recipe.scoping, in_scope).await;
                let (expect, why) = match &op.requirement {
                    Requirement::Public => (Expect::Success, "the operation is public".to_owned()),
                    Requirement::Authenticated => {
                        (Expect::Success, "any signed-in caller may".to_owned())
                    }
                    Requirement::Permission(key) => {
                        let grant = role.grants.get(key).copied();
                        let why = match grant {
                            Some(scope) => {
                                format!("the role holds {key} with scope {}", scope.as_str())
                            }
                            None => format!("the role lacks {key}"),
                        };
                        (expected(grant, situation, recipe.scoping), why)
                    }
                };
                *tally.entry(expect.label()).or_default() += 1;
                let res = perform(&app, op, &scene, Some(&token)).await;
                let success = success_of(op, recipe).expect("checked");
                let failure = match expect {
                    Expect::Success => (res.status != success)
                        .then(|| format!("expected {success}, got {}", res.status)),
                    Expect::Listed { shown, only } => {
                        let Scoping::List(_, shows) = recipe.scoping else {
                            unreachable!("only lists are listed")
                        };
                        list_failure(&res, shows, &scene, shown, only)
                    }
                    Expect::Forbidden => match &op.requirement {
                        Requirement::Permission(key) => forbidden_problem(&res, key)
                            .map(|got| format!("expected a 403 problem naming {key}, got {got}")),
                        _ => Some("a public or signed-in operation cannot be forbidden".into()),
                    },
                    Expect::NotFound => {
                        differs_from_missing(&app, op, &scene, &token, &res, StatusCode::NOT_FOUND)
                            .await
                            .map(|got| format!("expected a 404 as for a missing record, got {got}"))
                    }
                    Expect::Unknown(field) => {
                        let status = StatusCode::UNPROCESSABLE_ENTITY;
                        match differs_from_missing(&app, op, &scene, &token, &res, status).await {
                            Some(got) => Some(format!(
                                "expected a 422 as for an unknown {field}, got {got}"
                            )),
                            None if !res.error_fields().iter().any(|f| f == field) => {
                                Some(format!("the 422 does not name {field}"))
                            }
                            None => None,
                        }
                    }
                    Expect::Conflict => problem(&res, StatusCode::CONFLICT)
                        .err()
                        .map(|got| format!("expected a 409 problem, got {got}")),
                };
                if let Some(failure) = failure {
                    failures.push(format!(
                        "{} as {}, {}: {failure} ({why}): {}",
                        op.name(),
                        role.key,
                        situation.label(),
                        res.text()
                    ));
                }
                cases += 1;
            }
        }
    }

    let scoped = RECIPES
        .iter()
        .filter(|r| r.scoping != Scoping::None)
        .count();
    let unscoped = RECIPES.len() - scoped;
    eprintln!(
        "permission matrix: {cases} cases checked ({scoped} scoped operations × {} roles × 2 \
         situations + {unscoped} unscoped operations × {} roles)",
        roles.len(),
        roles.len()
    );
    let mut tally: Vec<_> = tally.into_iter().collect();
    tally.sort_unstable();
    eprintln!("expected outcomes: {tally:?}");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases broke the matrix:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert_eq!(ops.len(), RECIPES.len());
    assert_eq!(cases, (scoped * 2 + unscoped) * roles.len());
}

fn create_client_body() -> Value {
    json!({"name": format!("Client {}", unique())})
}

/// Replaces the grants of role `key`, as admin, keeping its name and description.
async fn set_grants(app: &TestApp, key: &str, edit: impl FnOnce(&mut Vec<Value>)) {
    let path = format!("/api/v1/roles/{key}");
    let admin = app.admin_token();
    let res = app.get(&path).token(&admin).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    let role = res.json();
    let mut grants = role["permissions"].as_array().expect("permissions").clone();
    edit(&mut grants);
    let res = app
        .put(&path)
        .token(&admin)
        .json(json!({"name": role["name"], "description": role["description"], "permissions": grants}))
        .send()
        .await;
    assert_eq!(res.status, 200, "update role {key}: {}", res.text());
}

#[actix_web::test]
async fn a_role_change_applies_to_the_next_request() {
    let app = TestApp::spawn().await;
    let role = "account_planner";
    let holds_write = |grants: &[Value]| grants.iter().any(|g| g["permission"] == "clients.write");
    let (planner_id, token) = app.staff(role).await;

    let denied = app
        .post("/api/v1/clients")
        .token(&token)
        .json(create_client_body())
        .send()
        .await;
    let problem = denied.problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("clients.write"),
        "{problem}"
    );

    set_grants(&app, role, |grants| {
        assert!(
            !holds_write(grants),
            "the test needs a role without clients.write"
        );
        grants.push(json!({"permission": "clients.write", "scope": "assigned"}));
    })
    .await;
    let res = app
        .post("/api/v1/clients")
        .token(&token)
        .json(create_client_body())
        .send()
        .await;
    assert_eq!(
        res.status,
        201,
        "same token after the grant: {}",
        res.text()
    );

    set_grants(&app, role, |grants| {
        grants.retain(|g| g["permission"] != "clients.write")
    })
    .await;
    app.post("/api/v1/clients")
        .token(&token)
        .json(create_client_body())
        .send()
        .await
        .problem(403);

    // A role created at runtime works at once, and grants exactly what it lists.
    let res = app
        .post("/api/v1/roles")
        .token(&app.admin_token())
        .json(json!({"key": "client_clerk", "name": "Client clerk",
            "permissions": [{"permission": "clients.write", "scope": "all"}]}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let (_, clerk) = app.staff("client_clerk").await;
    let res = app
        .post("/api/v1/clients")
        .token(&clerk)
        .json(create_client_body())
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let problem = app
        .get("/api/v1/clients")
        .token(&clerk)
        .send()
        .await
        .problem(403);
    assert!(
        problem["detail"].as_str().unwrap().contains("clients.read"),
        "{problem}"
    );

    // Moving a staff member to another role applies to their next request too.
    let res = app
        .patch(&format!("/api/v1/staff/{planner_id}"))
        .token(&app.admin_token())
        .json(json!({"role": "client_clerk"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .post("/api/v1/clients")
        .token(&token)
        .json(create_client_body())
        .send()
        .await;
    assert_eq!(res.status, 201, "same token after the move: {}", res.text());
}
