//! `/api/v1/clients`: the rules of clients, a file per concern. What every operation
//! shares — paging, sorting and `Link`, `If-Match`, unknown fields and malformed JSON,
//! tokens — is tested once, for every operation, in `conventions/`.

use serde_json::{json, Value};

use crate::helpers::*;

mod audit;
mod concurrency;
mod create;
mod delete;
mod health;
mod list;
mod request_ids;
mod uniqueness;
mod update;
mod validation;

const CLIENTS: &str = "/api/v1/clients";

fn client_url(id: &Value) -> String {
    format!("{CLIENTS}/{}", id.as_i64().expect("numeric id"))
}

async fn create(app: &TestApp, body: Value) -> Resp {
    app.post(CLIENTS)
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn list(app: &TestApp, query: &str) -> Resp {
    app.get(&format!("{CLIENTS}?{query}"))
        .token(&app.admin_token())
        .send()
        .await
}

/// Every page of `query`, as the admin lists clients.
async fn walk(app: &TestApp, query: &str) -> Vec<Vec<String>> {
    walk_pages(app, &app.admin_token(), CLIENTS, query).await
}

/// The audit events recorded for one client, oldest first.
async fn audit_events(app: &TestApp, id: &Value) -> Vec<Value> {
    audit_trail(app, "clients", &id.to_string()).await
}

async fn patch(app: &TestApp, client: &Value, body: Value) -> Resp {
    app.patch(&client_url(&client["id"]))
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn put_health(app: &TestApp, token: &str, client: &Value, body: Value) -> Resp {
    app.put(&format!("{}/health", client_url(&client["id"])))
        .token(token)
        .json(body)
        .send()
        .await
}
