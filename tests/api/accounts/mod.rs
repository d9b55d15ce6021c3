//! `/api/v1/accounts` and `/api/v1/accounts/{id}/team`: the rules of accounts and their
//! teams, a file per concern. What every operation shares — paging, sorting and `Link`,
//! `If-Match`, unknown fields and malformed JSON, tokens — is tested once, for every
//! operation, in `conventions/`.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::*;

mod audit;
mod create;
mod delete;
mod list;
mod me;
mod team;
mod uniqueness;
mod update;
mod validation;

const ACCOUNTS: &str = "/api/v1/accounts";

fn account_url(id: &Value) -> String {
    format!("{ACCOUNTS}/{}", id.as_i64().expect("numeric id"))
}

fn team_url(account_id: &Value) -> String {
    format!("{}/team", account_url(account_id))
}

fn member_url(account_id: &Value, staff_id: i64) -> String {
    format!("{}/team/{staff_id}", account_url(account_id))
}

async fn create(app: &TestApp, body: Value) -> Resp {
    app.post(ACCOUNTS)
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn get(app: &TestApp, token: &str, account: &Value) -> Resp {
    app.get(&account_url(&account["id"]))
        .token(token)
        .send()
        .await
}

async fn patch(app: &TestApp, account: &Value, body: Value) -> Resp {
    app.patch(&account_url(&account["id"]))
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn list(app: &TestApp, query: &str) -> Resp {
    app.get(&format!("{ACCOUNTS}?{query}"))
        .token(&app.admin_token())
        .send()
        .await
}

async fn put_member(app: &TestApp, account: &Value, staff_id: i64, role: &str) -> Resp {
    app.put(&member_url(&account["id"], staff_id))
        .token(&app.admin_token())
        .json(json!({"role_on_account": role}))
        .send()
        .await
}

async fn team(app: &TestApp, account: &Value) -> Vec<Value> {
    let res = app
        .get(&team_url(&account["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["data"].as_array().expect("data array").clone()
}

/// Hires a staff member with a chosen name; returns id and email.
async fn hire(app: &TestApp, role: &str, full_name: &str) -> (i64, String) {
    let email = format!("{}@suits.test", uuid::Uuid::new_v4().simple());
    let res = app
        .post("/api/v1/staff")
        .token(&app.admin_token())
        .json(json!({"email": email, "full_name": full_name, "role": role, "password": STAFF_PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    (res.json()["id"].as_i64().unwrap(), email)
}

async fn deactivate(app: &TestApp, staff_id: i64) {
    let res = app
        .patch(&format!("/api/v1/staff/{staff_id}"))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "deactivate: {}", res.text());
}

/// Every page of `query`, as the admin lists accounts.
async fn walk(app: &TestApp, query: &str) -> Vec<Vec<String>> {
    walk_pages(app, &app.admin_token(), ACCOUNTS, query).await
}

/// The audit events of `staff_id`'s place on `account`'s team.
async fn team_trail(app: &TestApp, account: &Value, staff_id: i64) -> Vec<Value> {
    let place = format!("{}/{staff_id}", account["id"]);
    audit_trail(app, "account_teams", &place).await
}

fn actions(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts a 409 uniqueness conflict on `field`.
#[track_caller]
fn assert_duplicate(res: &Resp, field: &str) {
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "unique", "{problem}");
}

fn eur(amount_minor: i64) -> Value {
    json!({"amount_minor": amount_minor, "currency": "EUR"})
}
