//! `/api/v1/contracts`: the rules of contracts, a file per concern. What every operation
//! shares — paging, sorting and `Link`, `If-Match`, unknown fields, tokens, the
//! permission matrix and the `assigned` scope — is tested once, for every operation, in
//! `conventions/`, `permissions.rs` and `scope/`.

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::*;

mod bad_input;
mod crud;
mod lifecycle;
mod pipeline;
mod races;
mod renewal;

const CONTRACTS: &str = "/api/v1/contracts";

/// Stages given on every submit here, so that a test's approvals never depend on what
/// another test made of the `contract` policy.
fn stages() -> Value {
    json!([
        {"name": "Account manager", "kind": "internal"},
        {"name": "Client sign-off", "kind": "client"}
    ])
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("an id")
}

/// A client with one account, and an account manager on its team.
struct Desk {
    client: i64,
    account: i64,
    manager: (i64, String),
}

async fn desk(app: &TestApp) -> Desk {
    let client = app
        .client(&format!("Client {}", uuid::Uuid::new_v4().simple()))
        .await;
    let account = app.account(&client["id"], "Crunch").await;
    let manager = app.staff("account_manager").await;
    app.assign(&account["id"], manager.0).await;
    Desk {
        client: id(&client),
        account: id(&account),
        manager,
    }
}

/// A body for `POST /contracts`: a project for the desk's account over 2026, with
/// `changes` merged in.
fn body(desk: &Desk, changes: Value) -> Value {
    let mut body = json!({
        "client_id": desk.client, "account_id": desk.account, "title": "Acme retainer",
        "kind": "retainer", "start_date": "2026-01-01", "end_date": "2026-12-31",
        "value": {"amount_minor": 24000000, "currency": "EUR"}, "auto_renew": true,
        "notice_days": 90, "renewal_term_months": 12
    });
    for (key, value) in changes.as_object().expect("an object") {
        body[key] = value.clone();
    }
    body
}

impl TestApp {
    /// Creates a contract from `body` as the holder of `token`.
    pub async fn contract(&self, token: &str, body: Value) -> Value {
        self.expect_post(token, CONTRACTS, Some(body), 201).await
    }

    /// Submits contract `id` as the holder of `requester`; the admin approves the internal
    /// stage and records the client's approval. The contract, active.
    pub async fn activate_contract(&self, requester: &str, id: i64) -> Value {
        let path = format!("{CONTRACTS}/{id}/submit");
        let submitted = self
            .expect_post(requester, &path, Some(json!({"stages": stages()})), 200)
            .await;
        let approval = submitted["approval_id"].as_i64().unwrap();
        let version = submitted["version"].as_i64().unwrap();
        let admin = self.admin_token();
        self.approve(&admin, approval, version).await;
        self.client_approves(&admin, approval, version).await;
        let res = self
            .get(&format!("{CONTRACTS}/{id}"))
            .token(&admin)
            .send()
            .await;
        let contract = res.json();
        assert_eq!(contract["status"], "active", "{contract}");
        contract
    }

    /// The contract of a case on `account`: a draft, or with `active`, approved.
    pub async fn case_contract(
        &self,
        requester: &str,
        client: i64,
        account: i64,
        active: bool,
    ) -> Value {
        let body = json!({
            "client_id": client, "account_id": account,
            "title": format!("Case contract {}", uuid::Uuid::new_v4().simple()),
            "kind": "retainer", "start_date": "2026-01-01", "end_date": "2026-12-31",
            "value": {"amount_minor": 1000000, "currency": "EUR"}, "renewal_term_months": 12
        });
        let contract = self.contract(requester, body).await;
        match active {
            true => self.activate_contract(requester, id(&contract)).await,
            false => contract,
        }
    }
}

fn actions(trail: &[Value]) -> Vec<&str> {
    trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}
