//! GET /me.

use super::*;

#[actix_web::test]
async fn me_lists_the_accounts_the_caller_manages_or_is_on() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, manager) = app.staff("account_manager").await;
    let managed = create(
        &app,
        json!({"client_id": client["id"], "name": "Bravo", "manager_id": manager_id}),
    )
    .await
    .json();
    let on_team = app.account(&client["id"], "Alpha").await;
    put_member(&app, &on_team, manager_id, "backup manager").await;
    let both = create(
        &app,
        json!({"client_id": client["id"], "name": "Charlie", "manager_id": manager_id}),
    )
    .await
    .json();
    put_member(&app, &both, manager_id, "lead").await;
    app.account(&client["id"], "Delta").await;

    let res = app.get("/api/v1/me").token(&manager).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["accounts"],
        json!([
            {"id": on_team["id"], "client_id": client["id"], "name": "Alpha", "status": "active",
             "manager": false, "role_on_account": "backup manager"},
            {"id": managed["id"], "client_id": client["id"], "name": "Bravo", "status": "active",
             "manager": true, "role_on_account": null},
            {"id": both["id"], "client_id": client["id"], "name": "Charlie", "status": "active",
             "manager": true, "role_on_account": "lead"},
        ])
    );
}

#[actix_web::test]
async fn me_of_someone_on_no_account_lists_none() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    app.account(&client["id"], "Acme Snacks").await;
    let (_, executive) = app.staff("account_executive").await;
    let me = app.get("/api/v1/me").token(&executive).send().await.json();
    assert_eq!(me["accounts"], json!([]));
}

#[actix_web::test]
async fn me_follows_team_changes_on_the_next_request() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, token) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    let me = app.get("/api/v1/me").token(&token).send().await.json();
    assert_eq!(me["accounts"][0]["role_on_account"], "lead");
    app.delete(&member_url(&account["id"], staff_id))
        .token(&app.admin_token())
        .send()
        .await;
    let me = app.get("/api/v1/me").token(&token).send().await.json();
    assert_eq!(me["accounts"], json!([]));
}
