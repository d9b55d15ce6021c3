//! Delete.

use super::*;

#[actix_web::test]
async fn delete_answers_204_and_the_account_and_its_team_are_gone() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (executive_id, executive) = app.staff("account_executive").await;
    app.assign(&account["id"], executive_id).await;

    let res = app
        .delete(&account_url(&account["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert!(res.body.is_empty());
    get(&app, &app.admin_token(), &account).await.problem(404);
    app.get(&team_url(&account["id"]))
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
    let me = app.get("/api/v1/me").token(&executive).send().await.json();
    assert_eq!(me["accounts"], json!([]), "the member is off the team");
    assert_eq!(list(&app, "").await.json()["data"], json!([]));
}

#[actix_web::test]
async fn deleting_an_account_frees_its_name() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = app
        .delete(&account_url(&account["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204);
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
}

#[actix_web::test]
async fn delete_of_an_unknown_account_is_404() {
    let app = TestApp::spawn().await;
    app.delete(&format!("{ACCOUNTS}/999999"))
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_client_with_accounts_cannot_be_deleted_until_they_are() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let snacks = app.account(&client["id"], "Acme Snacks").await;
    let drinks = app.account(&client["id"], "Acme Drinks").await;
    let client_url = format!("/api/v1/clients/{}", client["id"]);

    let res = app
        .delete(&client_url)
        .token(&app.admin_token())
        .send()
        .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("account"),
        "says why: {problem}"
    );
    assert_eq!(
        problem["errors"][0]["code"], "in_use",
        "names the reason: {problem}"
    );
    assert_eq!(problem["errors"][0]["field"], "id");
    assert_eq!(get(&app, &app.admin_token(), &snacks).await.status, 200);

    for account in [&snacks, &drinks] {
        let res = app
            .delete(&account_url(&account["id"]))
            .token(&app.admin_token())
            .send()
            .await;
        assert_eq!(res.status, 204, "{}", res.text());
    }
    let res = app
        .delete(&client_url)
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
}

#[actix_web::test]
async fn a_refused_client_delete_writes_no_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    app.account(&client["id"], "Acme Snacks").await;
    app.delete(&format!("/api/v1/clients/{}", client["id"]))
        .token(&app.admin_token())
        .send()
        .await
        .problem(409);
    let events = audit_trail(&app, "clients", &client["id"].to_string()).await;
    assert_eq!(actions(&events), ["clients.create"]);
}
