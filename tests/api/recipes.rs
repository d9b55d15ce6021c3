//! How to call each operation: on which record, with which path parameters, query and
//! body, and which success it leads to. One table, shared by every test that walks the
//! spec — the permission matrix, the scope doors and the conventions — so that a new
//! operation needs one recipe line, and an operation in the spec without one fails them.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};
use suits::auth::Permission;

use crate::helpers::*;

/// The record whose scope decides a case, when the operation has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scoping {
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
    /// Creates a record under the subject (a client or an account), named by this field of
    /// the body.
    CreateUnder(&'static str, Subject),
}

impl Scoping {
    pub fn subject(self) -> Option<Subject> {
        match self {
            Scoping::None => None,
            Scoping::Record(s) | Scoping::List(s, _) | Scoping::CreateUnder(_, s) => Some(s),
            Scoping::AccountlessClient => Some(Subject::Client),
        }
    }
}

/// The kind of record a scoped case is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Subject {
    Account,
    Client,
    /// A draft brief on the case's account.
    Brief,
    /// A brief submitted by the cast's requester: its approval's internal stage is open.
    SubmittedBrief,
    /// A brief approved through both stages.
    ApprovedBrief,
    /// An approved brief in production.
    ProductionBrief,
    /// A brief in production whose latest round the client accepted.
    DeliverableBrief,
    /// A creative round presented on a brief in production, no approval asked yet.
    Round,
    /// The pending approval of a submitted brief, its internal stage open.
    Approval,
    /// A pending approval whose open stage is a client stage.
    ClientApproval,
    /// An account with a budget (EUR), which payments need.
    BudgetedAccount,
    /// A payment awaiting approval on a budgeted account, requested by the cast's
    /// requester.
    Payment,
    /// A payment as `Payment`, approved by the admin.
    ApprovedPayment,
    /// A draft contract on the case's account.
    Contract,
    /// A contract on the case's account, approved through both stages: active.
    ActiveContract,
}

/// How a list shows the subject's records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shows {
    /// An item whose `id` is the subject's.
    Id,
    /// Audit events about the subject account, its team or its client.
    AuditTrail,
}

/// What fills a path parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param {
    /// The case's account or client, in or out of scope.
    Subject,
    /// A staff member made afresh, so that one case's update cannot change another's.
    Staff,
    /// A role made afresh.
    Role,
    /// A service account made afresh, with a coordinator's role.
    ServiceAccount,
    /// A staff member already on the subject account's team.
    Member,
    /// An active staff member not on the subject account's team.
    Newcomer,
    /// This text, as it is.
    Fixed(&'static str),
}

/// How to build a valid request for one operation.
pub struct Recipe {
    pub operation_id: &'static str,
    pub scoping: Scoping,
    pub path_params: &'static [(&'static str, Param)],
    /// Appended to the path as is.
    pub query: &'static str,
    pub body: Option<fn(&Ctx) -> Value>,
    /// Which of the spec's 2xx statuses this request leads to, when it lists several.
    pub success: Option<u16>,
    /// For a list: the operation whose recipe adds one item to it, so that the list
    /// conventions can fill it.
    pub items: Option<&'static str>,
    /// The body needs a session of its own: the admin signs in for each request made.
    pub session: bool,
    /// The body is sent as one line of NDJSON (an import) rather than as JSON.
    pub ndjson: bool,
}

/// What a body may refer to.
pub struct Ctx {
    /// Unique to the request, for names that must be unique.
    pub unique: String,
    /// The case's client or account; a missing id when comparing with "not found".
    pub subject: Option<i64>,
    /// A fresh refresh token of the admin's, for a recipe that asks for a session.
    pub refresh_token: String,
}

pub const fn recipe(operation_id: &'static str, scoping: Scoping) -> Recipe {
    Recipe {
        operation_id,
        scoping,
        path_params: &[],
        query: "",
        body: None,
        success: None,
        items: None,
        session: false,
        ndjson: false,
    }
}

impl Recipe {
    pub const fn path(mut self, params: &'static [(&'static str, Param)]) -> Self {
        self.path_params = params;
        self
    }

    pub const fn query(mut self, query: &'static str) -> Self {
        self.query = query;
        self
    }

    pub const fn body(mut self, body: fn(&Ctx) -> Value) -> Self {
        self.body = Some(body);
        self
    }

    pub const fn success(mut self, status: u16) -> Self {
        self.success = Some(status);
        self
    }

    pub const fn items(mut self, operation_id: &'static str) -> Self {
        self.items = Some(operation_id);
        self
    }

    pub const fn session(mut self) -> Self {
        self.session = true;
        self
    }

    pub const fn ndjson(mut self) -> Self {
        self.ndjson = true;
        self
    }
}

use Param::{Fixed, Member, Newcomer, Role, Staff};
use Subject::{Account, Brief, Client};

/// The case's records were made last, so they are on this page however many earlier
/// cases made; no filter, so that nothing but scope decides what is left out.
pub const NEWEST_FIRST: &str = "?sort=-created_at&limit=200";

#[rustfmt::skip]
pub const RECIPES: &[Recipe] = &[
    recipe("healthz", Scoping::None),
    recipe("readyz", Scoping::None),
    recipe("get_metrics", Scoping::None),
    recipe("create_token", Scoping::None)
        .body(|_| json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
    recipe("refresh_token", Scoping::None).session()
        .body(|c| json!({"refresh_token": c.refresh_token})),
    recipe("logout", Scoping::None).session()
        .body(|c| json!({"refresh_token": c.refresh_token})),
    recipe("get_me", Scoping::None),
    recipe("list_staff", Scoping::None).items("create_staff"),
    recipe("get_staff", Scoping::None).path(&[("id", Staff)]),
    recipe("create_staff", Scoping::None).body(|c| json!({
        "email": format!("hire.{}@suits.test", c.unique), "full_name": "New Hire",
        "role": "account_coordinator", "password": STAFF_PASSWORD
    })),
    recipe("update_staff", Scoping::None).path(&[("id", Staff)])
        .body(|_| json!({"full_name": "Renamed Hire"})),
    recipe("list_service_accounts", Scoping::None).items("create_service_account"),
    recipe("get_service_account", Scoping::None).path(&[("id", Param::ServiceAccount)]),
    recipe("create_service_account", Scoping::None).body(|c| json!({
        "name": format!("Integration {}", c.unique), "role": "account_coordinator"
    })),
    recipe("update_service_account", Scoping::None).path(&[("id", Param::ServiceAccount)])
        .body(|_| json!({"name": "Renamed integration"})),
    recipe("rotate_service_account_secret", Scoping::None)
        .path(&[("id", Param::ServiceAccount)]),
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
    recipe("list_clients", Scoping::List(Client, Shows::Id)).query(NEWEST_FIRST)
        .items("create_client"),
    recipe("get_client", Scoping::Record(Client)).path(&[("id", Param::Subject)]),
    recipe("update_client", Scoping::Record(Client)).path(&[("id", Param::Subject)])
        .body(|_| json!({"industry": "Retail"})),
    recipe("set_client_health", Scoping::Record(Client)).path(&[("id", Param::Subject)])
        .body(|_| json!({"health": "at_risk", "health_note": "Reviewing agencies"})),
    recipe("delete_client", Scoping::AccountlessClient).path(&[("id", Param::Subject)]),
    recipe("list_accounts", Scoping::List(Account, Shows::Id)).query(NEWEST_FIRST)
        .items("create_account"),
    recipe("get_account", Scoping::Record(Account)).path(&[("id", Param::Subject)]),
    recipe("create_account", Scoping::CreateUnder("client_id", Client)).body(|c| json!({
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
    recipe("list_briefs", Scoping::List(Brief, Shows::Id)).query(NEWEST_FIRST)
        .items("create_brief"),
    recipe("get_brief", Scoping::Record(Brief)).path(&[("id", Param::Subject)]),
    recipe("create_brief", Scoping::CreateUnder("account_id", Account)).body(|c| json!({
        "account_id": c.subject, "title": format!("Created brief {}", c.unique)
    })),
    recipe("update_brief", Scoping::Record(Brief)).path(&[("id", Param::Subject)])
        .body(|_| json!({"key_message": "Crunch time is your time."})),
    recipe("delete_brief", Scoping::Record(Brief)).path(&[("id", Param::Subject)]),
    recipe("cancel_brief", Scoping::Record(Brief)).path(&[("id", Param::Subject)]),
    recipe("submit_brief", Scoping::Record(Brief)).path(&[("id", Param::Subject)])
        .body(|_| json!({"note": "Please review before Friday."})),
    recipe("start_brief_production", Scoping::Record(Subject::ApprovedBrief))
        .path(&[("id", Param::Subject)]),
    recipe("deliver_brief", Scoping::Record(Subject::DeliverableBrief))
        .path(&[("id", Param::Subject)]),
    recipe("list_brief_versions", Scoping::Record(Subject::SubmittedBrief))
        .path(&[("id", Param::Subject)]),
    recipe("get_brief_version", Scoping::Record(Subject::SubmittedBrief))
        .path(&[("id", Param::Subject), ("number", Fixed("1"))]),
    recipe("list_brief_rounds", Scoping::Record(Subject::ProductionBrief))
        .path(&[("id", Param::Subject)]),
    recipe("create_brief_round", Scoping::Record(Subject::ProductionBrief))
        .path(&[("id", Param::Subject)])
        .body(|_| json!({
            "summary": "Second cut of the TV spot",
            "assets": [{"url": "https://files.example.com/tv-2.mp4", "label": "TV spot"}]
        })),
    recipe("get_creative_round", Scoping::Record(Subject::Round)).path(&[("id", Param::Subject)]),
    recipe("list_approvals", Scoping::List(Subject::Approval, Shows::Id)).query(NEWEST_FIRST)
        .items("create_approval"),
    recipe("get_approval", Scoping::Record(Subject::Approval)).path(&[("id", Param::Subject)]),
    // A client stage only: whoever asks, the approval is in the queue of whoever holds
    // approvals.request in scope (an internal stage is not in its requester's).
    recipe("create_approval", Scoping::CreateUnder("subject_id", Subject::Round))
        .body(|c| json!({
            "subject_type": "creative_round", "subject_id": c.subject,
            "stages": [{"name": "Client sign-off", "kind": "client"}]
        })),
    recipe("decide_approval", Scoping::Record(Subject::Approval))
        .path(&[("id", Param::Subject)])
        .body(|_| json!({"decision": "approved", "subject_version": 1})),
    recipe("record_client_decision", Scoping::Record(Subject::ClientApproval))
        .path(&[("id", Param::Subject)])
        .body(|_| json!({
            "decision": "approved", "subject_version": 1,
            "client_person": {"name": "Giulia Bianchi", "email": "giulia@acme.example"}
        })),
    recipe("cancel_approval", Scoping::Record(Subject::Approval))
        .path(&[("id", Param::Subject)])
        .body(|_| json!({"reason": "The client paused the campaign."})),
    recipe("my_approvals", Scoping::List(Subject::ClientApproval, Shows::Id))
        .query(NEWEST_FIRST)
        .items("create_approval"),
    recipe("list_contracts", Scoping::List(Subject::Contract, Shows::Id)).query(NEWEST_FIRST)
        .items("create_contract"),
    recipe("get_contract", Scoping::Record(Subject::Contract)).path(&[("id", Param::Subject)]),
    recipe("create_contract", Scoping::CreateUnder("client_id", Client)).body(|c| json!({
        "client_id": c.subject, "title": format!("Created contract {}", c.unique),
        "kind": "project", "start_date": "2026-01-01", "end_date": "2026-12-31",
        "value": {"amount_minor": 1000000, "currency": "EUR"}
    })),
    recipe("update_contract", Scoping::Record(Subject::Contract))
        .path(&[("id", Param::Subject)]).body(|_| json!({"notice_days": 30})),
    recipe("delete_contract", Scoping::Record(Subject::Contract)).path(&[("id", Param::Subject)]),
    recipe("submit_contract", Scoping::Record(Subject::Contract))
        .path(&[("id", Param::Subject)])
        .body(|_| json!({"note": "Please review before Friday."})),
    recipe("renew_contract", Scoping::Record(Subject::ActiveContract))
        .path(&[("id", Param::Subject)])
        .body(|_| json!({"title": "Renewed contract"})),
    recipe("terminate_contract", Scoping::Record(Subject::ActiveContract))
        .path(&[("id", Param::Subject)])
        .body(|_| json!({"terminated_on": "2026-06-30", "reason": "Moved in-house."})),
    recipe("list_approval_policies", Scoping::None),
    recipe("get_approval_policy", Scoping::None).path(&[("subject_type", Fixed("contract"))]),
    // Contract cases only submit (any internal and client stages do) or name their stages.
    recipe("replace_approval_policy", Scoping::None)
        .path(&[("subject_type", Fixed("contract"))])
        .body(|c| json!({"stages": [
            {"name": format!("Review {}", c.unique), "kind": "internal"},
            {"name": "Client sign-off", "kind": "client"}
        ]})),
    // An import of one line, as a single-record create would send it.
    recipe("import_clients", Scoping::None).ndjson()
        .body(|c| json!({"name": format!("Imported client {}", c.unique)})),
    recipe("import_accounts", Scoping::CreateUnder("client_id", Client)).ndjson()
        .body(|c| json!({"client_id": c.subject, "name": format!("Imported account {}", c.unique)})),
    recipe("import_staff", Scoping::None).ndjson().body(|c| json!({
        "email": format!("imported.{}@suits.test", c.unique), "full_name": "Imported Hire",
        "role": "account_coordinator", "password": STAFF_PASSWORD
    })),
    recipe("list_payments", Scoping::List(Subject::Payment, Shows::Id)).query(NEWEST_FIRST)
        .items("create_payment"),
    recipe("get_payment", Scoping::Record(Subject::Payment)).path(&[("id", Param::Subject)]),
    recipe("create_payment", Scoping::CreateUnder("account_id", Subject::BudgetedAccount))
        .body(|c| json!({
            "account_id": c.subject, "direction": "outgoing",
            "amount": {"amount_minor": 125000, "currency": "EUR"},
            "description": format!("Media buy {}", c.unique)
        })),
    recipe("mark_payment_paid", Scoping::Record(Subject::ApprovedPayment))
        .path(&[("id", Param::Subject)])
        .body(|c| json!({"paid_at": "2026-01-15T10:00:00Z", "external_ref": format!("INV-{}", c.unique)})),
    recipe("cancel_payment", Scoping::Record(Subject::Payment)).path(&[("id", Param::Subject)])
        .body(|_| json!({"reason": "The client paid the supplier directly."})),
    recipe("import_payments", Scoping::CreateUnder("account_id", Subject::BudgetedAccount))
        .ndjson()
        .body(|c| json!({
            "account_id": c.subject, "direction": "incoming",
            "amount": {"amount_minor": 90000, "currency": "EUR"},
            "description": format!("Imported fee {}", c.unique)
        })),
    recipe("import_contracts", Scoping::CreateUnder("client_id", Client)).ndjson()
        .body(|c| json!({
            "client_id": c.subject, "title": format!("Imported contract {}", c.unique),
            "kind": "project", "start_date": "2026-01-01", "end_date": "2026-12-31",
            "value": {"amount_minor": 1000000, "currency": "EUR"}
        })),
    recipe("get_account_budget", Scoping::Record(Subject::BudgetedAccount))
        .path(&[("id", Param::Subject)]),
    recipe("list_audit_events", Scoping::List(Account, Shows::AuditTrail))
        .query("?sort=-occurred_at&limit=200")
        // Every change is an event.
        .items("create_client"),
];

/// Permissions over records that belong to no account (DESIGN §3): their operations have
/// no scope to test.
pub const UNSCOPED_RESOURCES: &[&str] = &["staff", "roles"];

#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    Public,
    Authenticated,
    Permission(String),
}

/// One operation as the spec declares it.
pub struct Operation {
    pub id: String,
    pub method: Method,
    pub path: String,
    pub requirement: Requirement,
    pub successes: Vec<StatusCode>,
    pub has_body: bool,
    /// The body may be left out (`requestBody.required: false`): an empty one is no body.
    pub body_optional: bool,
    /// `x-permission` as the spec writes it: `public`, `authenticated` or a key.
    pub permission: String,
    /// The query parameters, by name, with their schemas.
    pub query: Vec<(String, Value)>,
    /// Whether the operation takes an `If-Match` header.
    pub if_match: bool,
    /// The `example` of the JSON request body's schema, when it has a body.
    pub body_example: Option<Value>,
}

impl Operation {
    pub fn name(&self) -> String {
        format!("{} ({} {})", self.id, self.method, self.path)
    }
}

/// `value`, or what its `$ref` points to in `doc`.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .expect("a $ref that resolves"),
        None => value,
    }
}

pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "options", "head", "trace",
];

/// Every operation in the served spec. Panics on one that does not state its permission
/// or a success status, because the matrix cannot be checked for it.
pub fn operations(spec: &Value) -> Vec<Operation> {
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
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| resolve(spec, p))
                .collect();
            let body_schema = &op["requestBody"]["content"]["application/json"]["schema"];
            ops.push(Operation {
                id,
                method: Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
                path: path.clone(),
                requirement,
                successes,
                has_body: op.get("requestBody").is_some(),
                body_optional: op["requestBody"]["required"] == false,
                permission: op["x-permission"].as_str().unwrap_or_default().to_owned(),
                query: params
                    .iter()
                    .filter(|p| p["in"] == "query")
                    .map(|p| (p["name"].as_str().unwrap().to_owned(), p["schema"].clone()))
                    .collect(),
                if_match: params
                    .iter()
                    .any(|p| p["in"] == "header" && p["name"] == "If-Match"),
                body_example: body_schema
                    .is_object()
                    .then(|| resolve(spec, body_schema)["example"].clone()),
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
pub fn recipe_for(op: &Operation) -> Result<&'static Recipe, String> {
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
pub fn success_of(op: &Operation, recipe: &Recipe) -> Result<StatusCode, String> {
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
pub fn scoping_fits(op: &Operation, recipe: &Recipe) -> Result<(), String> {
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
        Scoping::CreateUnder(..) => !unscoped && !by_id && op.method == Method::POST,
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
            Param::Staff | Param::Role | Param::ServiceAccount | Param::Fixed(_) => true,
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
pub fn check_recipes(ops: &[Operation]) {
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
    errors.extend(RECIPES.iter().filter_map(|r| {
        let items = r.items?;
        let made = ops
            .iter()
            .any(|op| op.id == items && op.method == Method::POST);
        (!made).then(|| {
            format!(
                "{}: its items come from {items}, no POST in the spec",
                r.operation_id
            )
        })
    }));
    assert!(
        errors.is_empty(),
        "fix RECIPES in tests/api/recipes.rs:\n  {}",
        errors.join("\n  ")
    );
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

pub fn unique() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        UNIQUE.fetch_add(1, Ordering::Relaxed)
    )
}

/// Staff members every case may share: they are only ever put on, or taken off, the
/// team of an account made for one case.
pub struct Cast {
    pub bystander: i64,
    pub newcomer: i64,
    /// A director who writes and submits the briefs of the cases, and asks for their
    /// approvals: never the caller under test, so nobody else meets the four-eyes rule.
    pub requester: i64,
}

impl Cast {
    pub async fn new(app: &TestApp) -> Cast {
        Cast {
            bystander: app.staff("account_coordinator").await.0,
            newcomer: app.staff("account_executive").await.0,
            requester: app.staff("account_director").await.0,
        }
    }
}

/// The records of one case.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    pub client: Option<i64>,
    pub account: Option<i64>,
    pub brief: Option<i64>,
    /// The client, account or brief whose scope the case is about.
    pub subject: Option<i64>,
    pub bystander: i64,
    pub newcomer: i64,
}

/// An id no record has, to compare "out of scope" with "does not exist".
pub const MISSING_ID: i64 = 987_654_321_012;

pub fn id_of(record: &Value) -> i64 {
    record["id"].as_i64().expect("record id")
}

/// Makes the case's client and account: the account has the bystander on its team and,
/// when there is an `in_scope` caller, that caller too. Without one the records are out of
/// every assigned caller's scope (and within the admin's, whose scope is `all`).
pub async fn stage(app: &TestApp, cast: &Cast, scoping: Scoping, in_scope: Option<i64>) -> Scene {
    let mut scene = Scene {
        bystander: cast.bystander,
        newcomer: cast.newcomer,
        ..Scene::default()
    };
    let Some(subject) = scoping.subject() else {
        return scene;
    };
    let client = id_of(&app.client(&format!("Case client {}", unique())).await);
    scene.client = Some(client);
    if in_scope.is_some() || scoping != Scoping::AccountlessClient {
        let account = id_of(
            &app.account(&json!(client), &format!("Case account {}", unique()))
                .await,
        );
        app.assign(&json!(account), cast.bystander).await;
        if let Some(caller) = in_scope {
            app.assign(&json!(account), caller).await;
        }
        scene.account = Some(account);
    }
    let account = scene.account;
    scene.subject = match subject {
        Subject::Client => Some(client),
        Subject::Account => account,
        Subject::BudgetedAccount => {
            let account = account.expect("an account for the budget");
            app.set_budget(account, crate::payments::BUDGET, None).await;
            Some(account)
        }
        Subject::Payment | Subject::ApprovedPayment => {
            let account = account.expect("a payment's account");
            app.set_budget(account, crate::payments::BUDGET, None).await;
            let requester = app.token_for(cast.requester);
            let payment = app.payment(&requester, account, "outgoing", 125_000).await;
            if subject == Subject::ApprovedPayment {
                let approval = payment["approval_id"].as_i64().expect("its approval");
                app.approve(&app.admin_token(), approval, 1).await;
            }
            Some(id_of(&payment))
        }
        Subject::Contract | Subject::ActiveContract => {
            let account = account.expect("a contract's account");
            let requester = app.token_for(cast.requester);
            let active = subject == Subject::ActiveContract;
            let contract = app.case_contract(&requester, client, account, active).await;
            Some(id_of(&contract))
        }
        Subject::Brief => {
            let account = account.expect("a brief's account");
            let brief = app
                .brief(account, &format!("Case brief {}", unique()))
                .await;
            scene.brief = Some(id_of(&brief));
            scene.brief
        }
        _ => {
            let account = account.expect("an account for the work");
            Some(staged_work(app, cast, subject, account).await)
        }
    };
    scene
}

/// The brief, round or approval a workflow subject names, made on `account` by the cast's
/// requester and decided by the admin.
async fn staged_work(app: &TestApp, cast: &Cast, subject: Subject, account: i64) -> i64 {
    let requester = app.token_for(cast.requester);
    let title = format!("Case brief {}", unique());
    let brief = match subject {
        Subject::SubmittedBrief | Subject::Approval => {
            app.submitted_brief(&requester, account, &title).await
        }
        Subject::ApprovedBrief => app.approved_brief(&requester, account, &title).await,
        Subject::DeliverableBrief => app.deliverable_brief(&requester, account, &title).await,
        Subject::ProductionBrief | Subject::Round => {
            app.brief_in_production(&requester, account, &title).await
        }
        Subject::ClientApproval => {
            let brief = app.brief_by(&requester, account, &title).await;
            let stages = json!({"stages": crate::workflow::client_only()});
            app.submit(&requester, id_of(&brief), Some(stages)).await
        }
        Subject::Client
        | Subject::Account
        | Subject::Brief
        | Subject::BudgetedAccount
        | Subject::Payment
        | Subject::ApprovedPayment
        | Subject::Contract
        | Subject::ActiveContract => unreachable!("not work"),
    };
    match subject {
        Subject::Approval | Subject::ClientApproval => brief["approval_id"].as_i64().unwrap(),
        Subject::Round => id_of(&app.round(&requester, id_of(&brief)).await),
        _ => id_of(&brief),
    }
}

pub async fn new_role(app: &TestApp) -> String {
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

/// One operation's request, made by its recipe on a scene: the path with its parameters
/// filled (each made once, so that the request can be repeated on the same records) and
/// the body. Tests vary it — headers, body, token — and send it as often as they need.
pub struct Call {
    pub method: Method,
    pub path: String,
    pub body: Option<Value>,
    /// Send the body as one NDJSON line.
    pub ndjson: bool,
}

impl Call {
    pub async fn new(app: &TestApp, op: &Operation, scene: &Scene) -> Call {
        let recipe = recipe_for(op).unwrap_or_else(|e| panic!("{e}"));
        let mut path = op.path.clone();
        for (name, param) in recipe.path_params {
            let value = match param {
                Param::Subject => scene.subject.expect("a subject").to_string(),
                Param::Staff => app.staff("account_coordinator").await.0.to_string(),
                Param::Role => new_role(app).await,
                Param::ServiceAccount => app
                    .service_account("account_coordinator")
                    .await
                    .id
                    .to_string(),
                Param::Member => scene.bystander.to_string(),
                Param::Newcomer => scene.newcomer.to_string(),
                Param::Fixed(text) => (*text).to_owned(),
            };
            path = path.replace(&format!("{{{name}}}"), &value);
        }
        path.push_str(recipe.query);
        let refresh_token = match recipe.session {
            true => app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await["refresh_token"]
                .as_str()
                .expect("a refresh token")
                .to_owned(),
            false => String::new(),
        };
        let body = recipe.body.map(|body| {
            body(&Ctx {
                unique: unique(),
                subject: scene.subject,
                refresh_token,
            })
        });
        Call {
            method: op.method.clone(),
            path,
            body,
            ndjson: recipe.ndjson,
        }
    }

    /// The request, with its body if it has one.
    pub fn request<'a>(&self, app: &'a TestApp) -> Req<'a> {
        let req = self.bare(app);
        match &self.body {
            Some(body) if self.ndjson => req.body("application/x-ndjson", format!("{body}\n")),
            Some(body) => req.json(body.clone()),
            None => req,
        }
    }

    /// The request without a body, for a test to give it its own.
    pub fn bare<'a>(&self, app: &'a TestApp) -> Req<'a> {
        app.request(self.method.clone(), &self.path)
    }
}

/// Performs `op` by its recipe on `scene`, as the holder of `token` (or anonymously).
pub async fn perform(app: &TestApp, op: &Operation, scene: &Scene, token: Option<&str>) -> Resp {
    let req = Call::new(app, op, scene).await.request(app);
    match token {
        Some(token) => req.token(token),
        None => req,
    }
    .send()
    .await
}
