//! A service account is scoped like staff: on an account's team, it sees that account's
//! records and no others.

use super::token_of;
use crate::helpers::*;

#[actix_web::test]
async fn a_service_account_on_a_team_sees_only_that_accounts_records() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_executive").await;
    let token = token_of(&app, &account).await;
    let mine = app.client("Assigned client").await;
    let theirs = app.client("Other client").await;
    let my_account = app.account(&mine["id"], "Assigned account").await;
    let their_account = app.account(&theirs["id"], "Other account").await;
    app.assign(&my_account["id"], account.id).await;

    let list = app.get("/api/v1/accounts").token(&token).send().await;
    assert_eq!(list.status, 200, "{}", list.text());
    let ids: Vec<serde_json::Value> = list.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(ids, vec![my_account["id"].clone()]);
    let own = app
        .get(&format!("/api/v1/accounts/{}", my_account["id"]))
        .token(&token)
        .send()
        .await;
    assert_eq!(own.status, 200, "{}", own.text());
    app.get(&format!("/api/v1/accounts/{}", their_account["id"]))
        .token(&token)
        .send()
        .await
        .problem(404);
    app.get(&format!("/api/v1/clients/{}", theirs["id"]))
        .token(&token)
        .send()
        .await
        .problem(404);
}
