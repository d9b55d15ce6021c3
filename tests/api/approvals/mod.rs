//! Approvals and the brief workflow around them, a file per concern: the whole walk from
//! draft to delivered, the rules a decision must pass, races, the queues and the
//! policies. What every operation shares is tested once in `conventions/`,
//! `permissions.rs` and `scope/`.

use serde_json::{json, Value};

use crate::helpers::*;

mod flow;
mod policies;
mod queue;
mod races;
mod rules;

/// An account with an executive and a manager on its team.
struct Desk {
    account: i64,
    exec: (i64, String),
    manager: (i64, String),
}

async fn desk(app: &TestApp) -> Desk {
    let client = app
        .client(&format!("Client {}", uuid::Uuid::new_v4().simple()))
        .await;
    let account = app.account(&client["id"], "Crunch").await;
    let exec = app.staff("account_executive").await;
    let manager = app.staff("account_manager").await;
    app.assign(&account["id"], exec.0).await;
    app.assign(&account["id"], manager.0).await;
    Desk {
        account: account["id"].as_i64().unwrap(),
        exec,
        manager,
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

async fn approval(app: &TestApp, id: i64) -> Value {
    get(app, &app.admin_token(), &format!("/api/v1/approvals/{id}")).await
}

async fn brief(app: &TestApp, id: i64) -> Value {
    get(app, &app.admin_token(), &format!("/api/v1/briefs/{id}")).await
}

async fn decide(app: &TestApp, token: &str, approval: i64, body: Value) -> Resp {
    app.post(&format!("/api/v1/approvals/{approval}/decisions"))
        .token(token)
        .json(body)
        .send()
        .await
}

async fn client_decide(app: &TestApp, token: &str, approval: i64, body: Value) -> Resp {
    app.post(&format!("/api/v1/approvals/{approval}/client-decisions"))
        .token(token)
        .json(body)
        .send()
        .await
}

fn actions(trail: &[Value]) -> Vec<&str> {
    trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

fn statuses(approval: &Value) -> Vec<&str> {
    approval["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect()
}
