//! The permission matrix (DESIGN §3), tested whole and derived rather than hand-listed:
//! the operations and the permission each needs come from the OpenAPI document, the
//! roles and what they grant from `GET /roles` on the running app. The only table here
//! says how to *call* each operation; whether a role may is never written down, so a new
//! endpoint or a changed matrix is covered without touching this file — and an endpoint
//! without a recipe fails the test instead of slipping past it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};
use suits::auth::{Permission, Scope};

use crate::helpers::*;

/// A record made afresh for each case to fill a path parameter, so that one case's update
/// or delete cannot change what another case sees.
#[derive(Debug, Clone, Copy)]
enum Fixture {
    Client,
    Staff,
    Role,
}

/// How to build a valid request for one operation.
struct Recipe {
    operation_id: &'static str,
    path_params: &'static [(&'static str, Fixture)],
    /// The body, given a suffix unique to the case (for names that must be unique).
    body: Option<fn(&str) -> Value>,
}

const fn recipe(
    operation_id: &'static str,
    path_params: &'static [(&'static str, Fixture)],
    body: Option<fn(&str) -> Value>,
) -> Recipe {
    Recipe {
        operation_id,
        path_params,
        body,
    }
}

use Fixture::{Client, Role, Staff};

#[rustfmt::skip]
const RECIPES: &[Recipe] = &[
    recipe("healthz", &[], None),
    recipe("readyz", &[], None),
    recipe("create_token", &[], Some(|_| json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))),
    recipe("get_me", &[], None),
    recipe("list_staff", &[], None),
    recipe("get_staff", &[("id", Staff)], None),
    recipe("create_staff", &[], Some(|u| json!({
        "email": format!("hire.{u}@suits.test"), "full_name": "New Hire",
        "role": "account_coordinator", "password": STAFF_PASSWORD
    }))),
    recipe("update_staff", &[("id", Staff)], Some(|_| json!({"full_name": "Renamed Hire"}))),
    recipe("list_roles", &[], None),
    recipe("get_role", &[("key", Role)], None),
    recipe("create_role", &[], Some(|u| json!({
        "key": format!("created_{u}"), "name": "Created",
        "permissions": [{"permission": "clients.read", "scope": "assigned"}]
    }))),
    recipe("update_role", &[("key", Role)], Some(|_| json!({"name": "Renamed", "permissions": []}))),
    recipe("list_clients", &[], None),
    recipe("get_client", &[("id", Client)], None),
    recipe("create_client", &[], Some(|u| json!({"name": format!("Created client {u}")}))),
    recipe("update_client", &[("id", Client)], Some(|_| json!({"industry": "Retail"}))),
    recipe("set_client_health", &[("id", Client)], Some(|_| json!({"health": "at_risk", "health_note": "Reviewing agencies"}))),
    recipe("delete_client", &[("id", Client)], None),
    recipe("list_audit_events", &[], None),
];

/// The custom role the matrix also runs against: a mix no built-in role has (health
/// without write, audit without staff or roles), with both scopes.
const ODD_ROLE: &str = "odd_mix";

fn odd_role_grants() -> Value {
    json!([
        {"permission": "clients.read", "scope": "assigned"},
        {"permission": "clients.health", "scope": "all"},
        {"permission": "audit.read", "scope": "assigned"},
    ])
}

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Public,
    Authenticated,
    Permission(String),
}

/// One operation as the spec declares it.
struct Operation {
    id: String,
    method: Method,
    path: String,
    requirement: Requirement,
    success: StatusCode,
    has_body: bool,
}

impl Operation {
    fn name(&self) -> String {
        format!("{} ({} {})", self.id, self.method, self.path)
    }
}

/// What the served matrix says a role holds.
struct RoleGrants {
    key: String,
    grants: HashMap<String, Scope>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Success,
    Forbidden,
}

/// The outcome a grant (or its absence) leads to. Row-level filtering by assignment
/// arrives with accounts; until then an `assigned` grant reaches every record, and this
/// is where in-scope and out-of-scope cases will split.
fn expected(grant: Option<Scope>) -> Expect {
    match grant {
        Some(Scope::All) | Some(Scope::Assigned) => Expect::Success,
        None => Expect::Forbidden,
    }
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "options", "head", "trace",
];

/// Every operation in the served spec. Panics on one that does not state its permission
/// or its success status, because the matrix cannot be checked for it.
fn operations(spec: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths in the spec") {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            let name = format!("{id} ({} {path})", method.to_uppercase());
            let requirement = match op["x-permission"].as_str() {
                Some("public") => Requirement::Public,
                Some("authenticated") => Requirement::Authenticated,
                Some(key) if Permission::from_key(key).is_some() => {
                    Requirement::Permission(key.to_owned())
                }
                other => {
                    missing.push(format!("{name}: x-permission is {other:?}"));
                    continue;
                }
            };
            let successes: Vec<StatusCode> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(status, _)| status.parse::<u16>().ok())
                .filter_map(|s| StatusCode::from_u16(s).ok())
                .filter(StatusCode::is_success)
                .collect();
            let [success] = successes[..] else {
                missing.push(format!(
                    "{name}: 2xx responses are {successes:?}, expected one"
                ));
                continue;
            };
            ops.push(Operation {
                id,
                method: Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
                path: path.clone(),
                requirement,
                success,
                has_body: op.get("requestBody").is_some(),
            });
        }
    }
    assert!(
        missing.is_empty(),
        "operations the matrix cannot be checked for:\n  {}",
        missing.join("\n  ")
    );
    ops
}

/// The recipe for `op`, checked against what the spec says the operation takes.
fn recipe_for(op: &Operation) -> Result<&'static Recipe, String> {
    let recipe = RECIPES
        .iter()
        .find(|r| r.operation_id == op.id)
        .ok_or_else(|| format!("{} has no request recipe", op.name()))?;
    let mut in_path: Vec<&str> = op
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    let mut in_recipe: Vec<&str> = recipe.path_params.iter().map(|(name, _)| *name).collect();
    in_path.sort_unstable();
    in_recipe.sort_unstable();
    if in_path != in_recipe {
        return Err(format!(
            "{}: the path has parameters {in_path:?}, the recipe fills {in_recipe:?}",
            op.name()
        ));
    }
    if op.has_body != recipe.body.is_some() {
        return Err(format!(
            "{}: the spec and the recipe disagree on whether it takes a body",
            op.name()
        ));
    }
    Ok(recipe)
}

/// Fails unless every operation has a usable recipe and every recipe an operation, before
/// any request is made.
fn check_recipes(ops: &[Operation]) {
    let mut errors: Vec<String> = ops.iter().filter_map(|op| recipe_for(op).err()).collect();
    errors.extend(
        RECIPES
            .iter()
            .filter(|r| !ops.iter().any(|op| op.id == r.operation_id))
            .map(|r| {
                format!(
                    "the recipe for {} matches no operation in the spec",
                    r.operation_id
                )
            }),
    );
    assert!(
        errors.is_empty(),
        "fix RECIPES in tests/api/permissions.rs:\n  {}",
        errors.join("\n  ")
    );
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        UNIQUE.fetch_add(1, Ordering::Relaxed)
    )
}

async fn make_fixture(app: &TestApp, fixture: Fixture) -> String {
    match fixture {
        Fixture::Client => {
            app.client(&format!("Fixture client {}", unique())).await["id"].to_string()
        }
        Fixture::Staff => app.staff("account_coordinator").await.0.to_string(),
        Fixture::Role => {
            let key = format!("fixture_{}", unique());
            let res = app
                .post("/api/v1/roles")
                .token(&app.admin_token())
                .json(json!({"key": key, "name": "Fixture", "permissions": []}))
                .send()
                .await;
            assert_eq!(res.status, 201, "create fixture role: {}", res.text());
            key
        }
    }
}

/// Performs `op` by its recipe, with fresh fixtures, as the holder of `token` (or anonymously).
async fn perform(app: &TestApp, op: &Operation, token: Option<&str>) -> Resp {
    let recipe = recipe_for(op).unwrap_or_else(|e| panic!("{e}"));
    let mut path = op.path.clone();
    for (name, fixture) in recipe.path_params {
        let value = make_fixture(app, *fixture).await;
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    let mut req = app.request(op.method.clone(), &path);
    if let Some(token) = token {
        req = req.token(token);
    }
    if let Some(body) = recipe.body {
        req = req.json(body(&unique()));
    }
    req.send().await
}

/// Why `res` is not a 403 problem naming `permission`, if it is not.
fn forbidden_problem(res: &Resp, permission: &str) -> Option<String> {
    if res.status != StatusCode::FORBIDDEN {
        return Some(format!("status {}", res.status));
    }
    if res.header("content-type") != Some("application/problem+json") {
        return Some(format!("content type {:?}", res.header("content-type")));
    }
    let body: Value = serde_json::from_slice(&res.body).unwrap_or_default();
    if body["status"] != 403
        || !body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(permission))
    {
        return Some(format!("the problem does not name {permission}"));
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
async fn every_operation_for_every_role_follows_the_matrix() {
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

    let mut failures = Vec::new();
    for op in &ops {
        let res = perform(&app, op, None).await;
        let unauthenticated_ok = match op.requirement {
            Requirement::Public => res.status == op.success,
            _ => {
                res.status == StatusCode::UNAUTHORIZED
                    && res.header("content-type") == Some("application/problem+json")
            }
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
    for role in &roles {
        for op in &ops {
            // A staff member per case, so nothing one case does can affect another.
            let (_, token) = app.staff(&role.key).await;
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
                    (expected(grant), why)
                }
            };
            let res = perform(&app, op, Some(&token)).await;
            let case = format!("{} as {}", op.name(), role.key);
            let failure = match (expect, &op.requirement) {
                (Expect::Success, _) if res.status != op.success => {
                    Some(format!("expected {}, got {}", op.success, res.status))
                }
                (Expect::Forbidden, Requirement::Permission(key)) => forbidden_problem(&res, key)
                    .map(|got| format!("expected a 403 problem naming {key}, got {got}")),
                (Expect::Forbidden, _) => {
                    Some("a public or signed-in operation cannot be forbidden".into())
                }
                (Expect::Success, _) => None,
            };
            if let Some(failure) = failure {
                failures.push(format!("{case}: {failure} ({why}): {}", res.text()));
            }
            cases += 1;
        }
    }

    eprintln!(
        "permission matrix: {cases} cases checked ({} operations × {} roles)",
        ops.len(),
        roles.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases broke the matrix:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert_eq!(cases, ops.len() * roles.len());
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
