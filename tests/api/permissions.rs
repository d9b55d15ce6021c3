//! The permission matrix (DESIGN §3), tested whole and derived rather than hand-listed:
//! the operations and the permission each needs come from the OpenAPI document, the
//! roles and what they grant from `GET /roles` on the running app. The only table here
//! says how to *call* each operation — on which record, so that the record can be put in
//! or out of the caller's scope; whether a role may is never written down, so a new
//! endpoint or a changed matrix is covered without touching this file — and an endpoint
//! without a recipe fails the test instead of slipping past it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};
use suits::auth::{Permission, Scope};

use crate::helpers::*;

/// The record whose scope decides a case, when the operation has one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scoping {
    /// Not limited by assignments (staff, roles, me, auth, health, creating a client):
    /// every record is within reach of any grant.
    None,
    /// Acts on the account or client the path names with [`Param::Subject`].
    Record(Subject),
    /// Acts on a client that has no account except the one that puts it in scope. For an
    /// operation a client's accounts block (deleting it): out of scope it can succeed, in
    /// scope it necessarily meets the block.
    AccountlessClient,
    /// Lists records; the subject's must be recognisable in `data` as `Shows` says.
    List(Subject, Shows),
    /// Creates a record under the subject client, named by this field of the body.
    CreateUnder(&'static str),
}

impl Scoping {
    fn subject(self) -> Option<Subject> {
        match self {
            Scoping::None => None,
            Scoping::Record(s) | Scoping::List(s, _) => Some(s),
            Scoping::AccountlessClient | Scoping::CreateUnder(_) => Some(Subject::Client),
        }
    }
}

/// The kind of record a scoped case is about.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Subject {
    Account,
    Client,
}

/// How a list shows the subject's records.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shows {
    /// An item whose `id` is the subject's.
    Id,
    /// Audit events about the subject account, its team or its client.
    AuditTrail,
}

/// What fills a path parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Param {
    /// The case's account or client, in or out of scope.
    Subject,
    /// A staff member made afresh, so that one case's update cannot change another's.
    Staff,
    /// A role made afresh.
    Role,
    /// A staff member already on the subject account's team.
    Member,
    /// An active staff member not on the subject account's team.
    Newcomer,
}

/// How to build a valid request for one operation.
struct Recipe {
    operation_id: &'static str,
    scoping: Scoping,
    path_params: &'static [(&'static str, Param)],
    /// Appended to the path as is.
    query: &'static str,
    body: Option<fn(&Ctx) -> Value>,
    /// Which of the spec's 2xx statuses this request leads to, when it lists several.
    success: Option<u16>,
}

/// What a body may refer to.
struct Ctx {
    /// Unique to the request, for names that must be unique.
    unique: String,
    /// The case's client or account; a missing id when comparing with "not found".
    subject: Option<i64>,
}

const fn recipe(operation_id: &'static str, scoping: Scoping) -> Recipe {
    Recipe {
        operation_id,
        scoping,
        path_params: &[],
        query: "",
        body: None,
        success: None,
    }
}

impl Recipe {
    const fn path(mut self, params: &'static [(&'static str, Param)]) -> Self {
        self.path_params = params;
        self
    }

    const fn query(mut self, query: &'static str) -> Self {
        self.query = query;
        self
    }

    const fn body(mut self, body: fn(&Ctx) -> Value) -> Self {
        self.body = Some(body);
        self
    }

    const fn success(mut self, status: u16) -> Self {
        self.success = Some(status);
        self
    }
}

use Param::{Member, Newcomer, Role, Staff};
use Subject::{Account, Client};

/// The case's records were made last, so they are on this page however many earlier
/// cases made; no filter, so that nothing but scope decides what is left out.
const NEWEST_FIRST: &str = "?sort=-created_at&limit=200";

#[rustfmt::skip]
const RECIPES: &[Recipe] = &[
    recipe("healthz", Scoping::None),
    recipe("readyz", Scoping::None),
    recipe("create_token", Scoping::None)
        .body(|_| json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
    recipe("get_me", Scoping::None),
    recipe("list_staff", Scoping::None),
    recipe("get_staff", Scoping::None).path(&[("id", Staff)]),
    recipe("create_staff", Scoping::None).body(|c| json!({
        "email": format!("hire.{}@suits.test", c.unique), "full_name": "New Hire",
        "role": "account_coordinator", "password": STAFF_PASSWORD
    })),
    recipe("update_staff", Scoping::None).path(&[("id", Staff)])
        .body(|_| json!({"full_name": "Renamed Hire"})),
    recipe("list_roles", Scoping::None),
    recipe("get_role", Scoping::None).path(&[("key", Role)]),
    recipe("create_role", Scoping::None).body(|c| json!({
        "key": format!("created_{}", c.unique), "name": "Created",
        "permissions": [{"permission": "clients.read", "scope": "assigned"}]
    })),
    recipe("update_role", Scoping::None).path(&[("key", Role)])
        .body(|_| json!({"name": "Renamed", "permissions": []})),
    // A new client has no accounts yet, so no assignment could ever reach it.
    recipe("create_client", Scoping::None)
        .body(|c| json!({"name": format!("Created client {}", c.unique)})),
    recipe("list_clients", Scoping::List(Client, Shows::Id)).query(NEWEST_FIRST),
    recipe("get_client", Scoping::Record(Client)).path(&[("id", Param::Subject)]),
    recipe("update_client", Scoping::Record(Client)).path(&[("id", Param::Subject)])
        .body(|_| json!({"industry": "Retail"})),
    recipe("set_client_health", Scoping::Record(Client)).path(&[("id", Param::Subject)])
        .body(|_| json!({"health": "at_risk", "health_note": "Reviewing agencies"})),
    recipe("delete_client", Scoping::AccountlessClient).path(&[("id", Param::Subject)]),
    recipe("list_accounts", Scoping::List(Account, Shows::Id)).query(NEWEST_FIRST),
    recipe("get_account", Scoping::Record(Account)).path(&[("id", Param::Subject)]),
    recipe("create_account", Scoping::CreateUnder("client_id")).body(|c| json!({
        "client_id": c.subject, "name": format!("Created account {}", c.unique)
    })),
    recipe("update_account", Scoping::Record(Account)).path(&[("id", Param::Subject)])
        .body(|_| json!({"status": "paused"})),
    recipe("delete_account", Scoping::Record(Account)).path(&[("id", Param::Subject)]),
    recipe("list_account_team", Scoping::Record(Account)).path(&[("id", Param::Subject)]),
    // The bystander is on the team of every case's account, in scope or not.
    recipe("get_account_team_member", Scoping::Record(Account))
        .path(&[("id", Param::Subject), ("staff_id", Member)]),
    // The newcomer is on no case's team, so the member is added: 201, not 200.
    recipe("assign_account_team_member", Scoping::Record(Account))
        .path(&[("id", Param::Subject), ("staff_id", Newcomer)])
        .body(|_| json!({"role_on_account": "lead executive"}))
        .success(201),
    // The bystander is on the team of every case's account, in scope or not.
    recipe("unassign_account_team_member", Scoping::Record(Account))
        .path(&[("id", Param::Subject), ("staff_id", Member)]),
    recipe("list_audit_events", Scoping::List(Account, Shows::AuditTrail))
        .query("?sort=-occurred_at&limit=200"),
];

/// Permissions over records that belong to no account (DESIGN §3): their operations have
/// no scope to test.
const UNSCOPED_RESOURCES: &[&str] = &["staff", "roles"];

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
    successes: Vec<StatusCode>,
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
        Scoping::CreateUnder(field) if !reached => Expect::Unknown(field),
        _ if !reached => Expect::NotFound,
        // Being in scope means the client has an account: the caller's.
        Scoping::AccountlessClient if situation == Situation::InScope => Expect::Conflict,
        _ => Expect::Success,
    }
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "options", "head", "trace",
];

/// Every operation in the served spec. Panics on one that does not state its permission
/// or a success status, because the matrix cannot be checked for it.
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
            if successes.is_empty() {
                missing.push(format!("{name}: no 2xx response"));
                continue;
            }
            ops.push(Operation {
                id,
                method: Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
                path: path.clone(),
                requirement,
                successes,
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
    success_of(op, recipe)?;
    scoping_fits(op, recipe)?;
    Ok(recipe)
}

/// The success status of `op` called by `recipe`: the spec's only one, or the recipe's
/// pick among several.
fn success_of(op: &Operation, recipe: &Recipe) -> Result<StatusCode, String> {
    match (&op.successes[..], recipe.success) {
        ([only], None) => Ok(*only),
        (all, Some(pick)) if all.iter().any(|s| s.as_u16() == pick) => {
            Ok(StatusCode::from_u16(pick).expect("status"))
        }
        (all, pick) => Err(format!(
            "{}: the spec's 2xx responses are {all:?}, the recipe picks {pick:?}",
            op.name()
        )),
    }
}

/// Fails on a recipe that would let a scoped operation dodge the in/out-of-scope cases,
/// or that fills a parameter from a record it does not make.
fn scoping_fits(op: &Operation, recipe: &Recipe) -> Result<(), String> {
    let unscoped = match &op.requirement {
        Requirement::Public | Requirement::Authenticated => true,
        Requirement::Permission(key) => {
            UNSCOPED_RESOURCES.contains(&key.split('.').next().unwrap_or_default())
        }
    };
    let by_id = op.path.contains('{');
    let fits = match recipe.scoping {
        Scoping::None => unscoped || (op.method == Method::POST && !by_id),
        Scoping::Record(_) | Scoping::AccountlessClient => !unscoped && by_id,
        Scoping::List(..) => !unscoped && !by_id && op.method == Method::GET,
        Scoping::CreateUnder(_) => !unscoped && !by_id && op.method == Method::POST,
    };
    if !fits {
        return Err(format!(
            "{}: scoping {:?} does not fit a {} operation",
            op.name(),
            recipe.scoping,
            if unscoped { "unscoped" } else { "scoped" }
        ));
    }
    for (name, param) in recipe.path_params {
        let needs = match param {
            Param::Subject => recipe.scoping.subject().is_some(),
            Param::Member | Param::Newcomer => recipe.scoping == Scoping::Record(Subject::Account),
            Param::Staff | Param::Role => true,
        };
        if !needs {
            return Err(format!(
                "{}: {{{name}}} is filled with {param:?}, which scoping {:?} does not make",
                op.name(),
                recipe.scoping
            ));
        }
    }
    Ok(())
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

/// Staff members every case may share: they are only ever put on, or taken off, the
/// team of an account made for one case.
struct Cast {
    bystander: i64,
    newcomer: i64,
}

/// The records of one case.
#[derive(Debug, Clone, Default)]
struct Scene {
    client: Option<i64>,
    account: Option<i64>,
    /// The client or account whose scope the case is about.
    subject: Option<i64>,
    bystander: i64,
    newcomer: i64,
}

/// An id no record has, to compare "out of scope" with "does not exist".
const MISSING_ID: i64 = 987_654_321_012;

fn id_of(record: &Value) -> i64 {
    record["id"].as_i64().expect("record id")
}

/// Makes the case's client and account: the account has the bystander on its team and,
/// in scope, the caller too.
async fn stage(
    app: &TestApp,
    cast: &Cast,
    scoping: Scoping,
    situation: Situation,
    caller: Option<i64>,
) -> Scene {
    let mut scene = Scene {
        bystander: cast.bystander,
        newcomer: cast.newcomer,
        ..Scene::default()
    };
    let Some(subject) = scoping.subject() else {
        return scene;
    };
    let in_scope = situation == Situation::InScope;
    let client = id_of(&app.client(&format!("Case client {}", unique())).await);
    scene.client = Some(client);
    if in_scope || scoping != Scoping::AccountlessClient {
        let account = id_of(
            &app.account(&json!(client), &format!("Case account {}", unique()))
                .await,
        );
        app.assign(&json!(account), cast.bystander).await;
        if in_scope {
            let caller = caller.expect("an in-scope case has a caller");
            app.assign(&json!(account), caller).await;
        }
        scene.account = Some(account);
    }
    scene.subject = match subject {
        Subject::Client => Some(client),
        Subject::Account => scene.account,
    };
    scene
}

async fn new_role(app: &TestApp) -> String {
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

/// Performs `op` by its recipe on `scene`, as the holder of `token` (or anonymously).
async fn perform(app: &TestApp, op: &Operation, scene: &Scene, token: Option<&str>) -> Resp {
    let recipe = recipe_for(op).unwrap_or_else(|e| panic!("{e}"));
    let mut path = op.path.clone();
    for (name, param) in recipe.path_params {
        let value = match param {
            Param::Subject => scene.subject.expect("a subject").to_string(),
            Param::Staff => app.staff("account_coordinator").await.0.to_string(),
            Param::Role => new_role(app).await,
            Param::Member => scene.bystander.to_string(),
            Param::Newcomer => scene.newcomer.to_string(),
        };
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    path.push_str(recipe.query);
    let mut req = app.request(op.method.clone(), &path);
    if let Some(token) = token {
        req = req.token(token);
    }
    if let Some(body) = recipe.body {
        req = req.json(body(&Ctx {
            unique: unique(),
            subject: scene.subject,
        }));
    }
    req.send().await
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
                Some("client") => named(scene.client),
                Some("account") => named(scene.account),
                Some("account_team") => scene.account.is_some_and(|account| {
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
        Shows::AuditTrail => ["client", "account", "account_team"]
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
    let cast = Cast {
        bystander: app.staff("account_coordinator").await.0,
        newcomer: app.staff("account_executive").await.0,
    };

    let mut failures = Vec::new();
    for op in &ops {
        let scoping = recipe_for(op).expect("checked").scoping;
        // Out of scope: there is no caller to assign.
        let situation = Situation::of(scoping).last().copied().expect("a situation");
        let scene = stage(&app, &cast, scoping, situation, None).await;
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
                let scene = stage(&app, &cast, recipe.scoping, situation, Some(caller)).await;
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
