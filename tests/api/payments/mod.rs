//! Payments and the budget, a file per concern: requesting (and the approval opened),
//! deciding, bad input, the state rules of mark-paid and cancel, races, the budget's
//! arithmetic and the lists. What every operation shares is tested once in
//! `conventions/`, `permissions.rs` and `scope/`.

use serde_json::{json, Value};

use crate::helpers::*;

mod approval;
mod bad_input;
mod budget;
mod contracts;
mod lists;
mod races;
mod request;
mod states;

/// The budget the fixtures give an account: €100,000.00.
pub const BUDGET: i64 = 10_000_000;

impl TestApp {
    /// Sets the account's budget (EUR) and payment approval threshold, as admin.
    pub async fn set_budget(&self, account: i64, budget: i64, threshold: Option<i64>) {
        let threshold = threshold.map(|t| json!({"amount_minor": t, "currency": "EUR"}));
        let res = self
            .patch(&format!("/api/v1/accounts/{account}"))
            .token(&self.admin_token())
            .json(json!({
                "budget": {"amount_minor": budget, "currency": "EUR"},
                "payment_approval_threshold": threshold
            }))
            .send()
            .await;
        assert_eq!(res.status, 200, "set the budget: {}", res.text());
    }

    /// A payment of `amount_minor` EUR requested on the account by the holder of `token`.
    pub async fn payment(
        &self,
        token: &str,
        account: i64,
        direction: &str,
        amount_minor: i64,
    ) -> Value {
        let body = json!({
            "account_id": account, "direction": direction,
            "amount": {"amount_minor": amount_minor, "currency": "EUR"},
            "description": "Media buy"
        });
        self.expect_post(token, "/api/v1/payments", Some(body), 201)
            .await
    }
}

/// An account with a budget, and on its team an executive who requests payments and a
/// manager who approves them; a director (scope `all`) beside them.
struct Desk {
    client: i64,
    account: i64,
    exec: (i64, String),
    manager: (i64, String),
    director: (i64, String),
}

async fn desk(app: &TestApp, threshold: Option<i64>) -> Desk {
    let client = app
        .client(&format!("Client {}", uuid::Uuid::new_v4().simple()))
        .await;
    let account = app.account(&client["id"], "Crunch").await;
    let account_id = account["id"].as_i64().unwrap();
    app.set_budget(account_id, BUDGET, threshold).await;
    let exec = app.staff("account_executive").await;
    let manager = app.staff("account_manager").await;
    let director = app.staff("account_director").await;
    app.assign(&account["id"], exec.0).await;
    app.assign(&account["id"], manager.0).await;
    Desk {
        client: client["id"].as_i64().unwrap(),
        account: account_id,
        exec,
        manager,
        director,
    }
}

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("an id")
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path).token(token).send().await;
    assert_eq!(res.status, 200, "GET {path}: {}", res.text());
    res.json()
}

async fn payment(app: &TestApp, id: i64) -> Value {
    get(app, &app.admin_token(), &format!("/api/v1/payments/{id}")).await
}

async fn approval_of(app: &TestApp, payment: &Value) -> Value {
    let approval = payment["approval_id"].as_i64().expect("an approval");
    get(
        app,
        &app.admin_token(),
        &format!("/api/v1/approvals/{approval}"),
    )
    .await
}

async fn decide(app: &TestApp, token: &str, approval: i64, decision: &str) -> Resp {
    app.post(&format!("/api/v1/approvals/{approval}/decisions"))
        .token(token)
        .json(json!({"decision": decision, "subject_version": 1, "note": "Checked"}))
        .send()
        .await
}

async fn request(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post("/api/v1/payments")
        .token(token)
        .json(body)
        .send()
        .await
}

async fn mark_paid(app: &TestApp, token: &str, id: i64, external_ref: &str) -> Resp {
    app.post(&format!("/api/v1/payments/{id}/mark-paid"))
        .token(token)
        .json(json!({"paid_at": "2026-01-15T10:00:00Z", "external_ref": external_ref}))
        .send()
        .await
}

/// The account's payments, as the admin lists them.
async fn payments_of(app: &TestApp, account: i64) -> Vec<Value> {
    let page = get(
        app,
        &app.admin_token(),
        &format!("/api/v1/payments?account_id={account}&limit=200"),
    )
    .await;
    page["data"].as_array().expect("data").clone()
}

/// The names of the approval's stages, in order, with whether each is a director stage.
fn stages(approval: &Value) -> Vec<(String, bool)> {
    approval["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["director"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// An approved payment: requested by the executive, approved by the manager.
async fn approved(app: &TestApp, desk: &Desk, direction: &str, amount: i64) -> Value {
    let requested = app
        .payment(&desk.exec.1, desk.account, direction, amount)
        .await;
    let approval = requested["approval_id"].as_i64().unwrap();
    let res = decide(app, &desk.manager.1, approval, "approved").await;
    assert_eq!(res.status, 200, "approve: {}", res.text());
    payment(app, id(&requested)).await
}
