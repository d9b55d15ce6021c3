//! `/api/v1/briefs`: the rules of briefs, a file per concern. What every operation shares
//! — paging, sorting and `Link`, `If-Match`, unknown fields and malformed JSON, tokens,
//! the permission matrix and the `assigned` scope — is tested once, for every operation,
//! in `conventions/`, `permissions.rs` and `scope/`.

use serde_json::{json, Value};

use crate::helpers::*;

mod create;
mod lifecycle;
mod list;

const BRIEFS: &str = "/api/v1/briefs";

fn brief_url(id: &Value) -> String {
    format!("{BRIEFS}/{}", id.as_i64().expect("numeric id"))
}

/// A client with one account; returns the account.
async fn account(app: &TestApp, name: &str) -> Value {
    let client = app.client(&format!("{name} client")).await;
    app.account(&client["id"], name).await
}

async fn create(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post(BRIEFS).token(token).json(body).send().await
}

async fn patch(app: &TestApp, brief: &Value, body: Value) -> Resp {
    app.patch(&brief_url(&brief["id"]))
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn cancel(app: &TestApp, token: &str, brief: &Value) -> Resp {
    app.post(&format!("{}/cancel", brief_url(&brief["id"])))
        .token(token)
        .send()
        .await
}

/// The ids on a page of briefs, in order.
fn ids(page: &Value) -> Vec<i64> {
    page["data"]
        .as_array()
        .expect("data array")
        .iter()
        .map(|b| b["id"].as_i64().expect("id"))
        .collect()
}

async fn list(app: &TestApp, query: &str) -> Vec<i64> {
    let res = app
        .get(&format!("{BRIEFS}?{query}"))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    ids(&res.json())
}
