//! Conventions every operation shares, driven by the OpenAPI document so that a new
//! operation is covered by construction, one file per convention: control characters and
//! empty parameters are refused (`text`); statuses come in one fixed order (`order`);
//! answers have exactly the documented shape (`shapes`); every list pages, sorts and links
//! alike (`lists`); every `If-Match` works alike (`preconditions`); every JSON body refuses
//! unknown fields and malformed JSON alike (`bodies`); every `GET` answers `HEAD`, and
//! every tagged record `If-None-Match`, alike (`conditional`); every operation but the
//! public ones needs a token (`tokens`); every signed `POST` takes an `Idempotency-Key`
//! alike (`idempotency`); every operation refuses a query parameter it does not take
//! (`parameters`). The requests come from the shared recipes, so an operation
//! that has a feature but no recipe fails here too.

use serde_json::{json, Value};

use crate::helpers::*;
pub use crate::recipes::{
    operations, recipe_for, resolve, stage, success_of, Call, Cast, Operation,
};

mod bodies;
mod conditional;
mod export;
mod idempotency;
mod lists;
mod order;
mod parameters;
mod preconditions;
mod shapes;
mod text;
mod tokens;

/// Every operation of the served document.
fn spec_operations() -> Vec<Operation> {
    operations(&suits::openapi::document())
}

/// The operations that have a feature, at least `at_least` of them: a walker that found
/// none would make every check on them pass vacuously.
fn having(feature: impl Fn(&Operation) -> bool, at_least: usize, what: &str) -> Vec<Operation> {
    let ops: Vec<Operation> = spec_operations().into_iter().filter(feature).collect();
    assert!(
        ops.len() >= at_least,
        "only {} operations {what}: {:?}",
        ops.len(),
        ops.iter().map(|op| &op.id).collect::<Vec<_>>()
    );
    ops
}

/// The staff members the recipes put on (and leave off) a team.
async fn cast(app: &TestApp) -> Cast {
    Cast::new(app).await
}

/// `op`'s recipe on records of its own, which the admin reaches (scope `all`). Panics if
/// the operation has no recipe: a generic check cannot be skipped for want of one.
async fn fresh_call(app: &TestApp, cast: &Cast, op: &Operation) -> Call {
    let recipe = recipe_for(op).unwrap_or_else(|e| panic!("{e} (add it to tests/api/recipes.rs)"));
    let scene = stage(app, cast, recipe.scoping, None).await;
    Call::new(app, op, &scene).await
}

/// The status `op`'s recipe succeeds with.
fn success(op: &Operation) -> u16 {
    let recipe = recipe_for(op).unwrap_or_else(|e| panic!("{e}"));
    success_of(op, recipe)
        .unwrap_or_else(|e| panic!("{e}"))
        .as_u16()
}

/// The operation's path with every parameter filled in with `value`.
pub fn fill(path: &str, value: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                value
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// Every string in `value` with its dotted path, as problems name fields.
pub fn string_fields(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::String(_) => out.push(path.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_fields(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                string_fields(item, &path, out);
            }
        }
        _ => {}
    }
}

pub fn replace_at(value: &mut Value, path: &str, with: &str) {
    let mut target = value;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        target = &mut target[name];
        if let Some(i) = index {
            target = &mut target[i];
        }
    }
    *target = json!(with);
}

pub fn assert_names(res: &Resp, status: u16, field: &str, code: &str, what: &str) {
    let problem = res.problem(status);
    let named = problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: errors[] in {problem}"))
        .iter()
        .any(|e| e["field"] == field && e["code"] == code);
    assert!(named, "{what}: expected {field} ({code}) in {problem}");
}
