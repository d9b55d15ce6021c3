//! `POST /api/v1/imports/{resource}`: bulk import, a file per concern. What every
//! operation shares (tokens, status order, the permission matrix, scope doors, the
//! `Idempotency-Key`) is covered through the operations' recipes.

use serde_json::Value;

use crate::helpers::*;

mod accounts;
mod all_or_nothing;
mod bodies;
mod clients;
mod contracts;
mod payments;
mod round_trip;
mod staff;

const CSV: &str = "text/csv";
const NDJSON: &str = "application/x-ndjson";

fn url(resource: &str, query: &str) -> String {
    format!("/api/v1/imports/{resource}{query}")
}

/// Imports `body` of `content_type` into `resource` as the holder of `token`.
async fn import(
    app: &TestApp,
    token: &str,
    resource: &str,
    content_type: &str,
    body: &str,
) -> Resp {
    app.post(&url(resource, ""))
        .token(token)
        .body(content_type, body.to_owned())
        .send()
        .await
}

async fn dry_run(
    app: &TestApp,
    token: &str,
    resource: &str,
    content_type: &str,
    body: &str,
) -> Resp {
    app.post(&url(resource, "?dry_run=true"))
        .token(token)
        .body(content_type, body.to_owned())
        .send()
        .await
}

/// `created`, `updated`, `unchanged` of a successful import's answer.
#[track_caller]
fn counts(res: &Resp) -> (u64, u64, u64) {
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    let report = res.json();
    let count = |name: &str| report[name].as_u64().expect("a count");
    (count("created"), count("updated"), count("unchanged"))
}

/// The `(line, field, code)` of each error of a refused import.
#[track_caller]
fn line_errors(res: &Resp) -> Vec<(u64, String, String)> {
    let problem = res.problem(422);
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("a line"),
                e["field"].as_str().expect("a field").to_owned(),
                e["code"].as_str().expect("a code").to_owned(),
            )
        })
        .collect()
}

/// Every client's name, as the admin lists them.
async fn client_names(app: &TestApp) -> Vec<String> {
    let res = app
        .get("/api/v1/clients?sort=name&limit=200")
        .token(&app.admin_token())
        .send()
        .await;
    names(&res.json())
}

async fn events(app: &TestApp) -> Vec<Value> {
    let res = app
        .get("/api/v1/audit-events?limit=200")
        .token(&app.admin_token())
        .send()
        .await;
    res.json()["data"].as_array().expect("data").clone()
}
