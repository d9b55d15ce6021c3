//! Uniqueness.

use super::*;

#[actix_web::test]
async fn create_with_a_name_the_client_already_has_is_409_on_name() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    app.account(&client["id"], "Acme Snacks").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks"}),
    )
    .await;
    assert_duplicate(&res, "name");
}

#[actix_web::test]
async fn create_with_a_name_the_client_has_in_other_case_is_409_on_name() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    app.account(&client["id"], "Acme Snacks").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": " ACME snacks "}),
    )
    .await;
    assert_duplicate(&res, "name");
}

#[actix_web::test]
async fn the_same_account_name_under_another_client_is_fine() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    app.account(&acme["id"], "Europe").await;
    let res = create(&app, json!({"client_id": globex["id"], "name": "Europe"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
}

#[actix_web::test]
async fn create_with_a_taken_external_ref_is_409_on_external_ref() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    let first = create(
        &app,
        json!({"client_id": acme["id"], "name": "Acme Snacks", "external_ref": "PRJ-1"}),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text());
    // External refs are unique across all clients: they are another system's ids.
    let res = create(
        &app,
        json!({"client_id": globex["id"], "name": "Globex Energy", "external_ref": "PRJ-1"}),
    )
    .await;
    assert_duplicate(&res, "external_ref");
}

#[actix_web::test]
async fn patch_to_a_sibling_accounts_name_is_409() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    app.account(&client["id"], "Acme Snacks").await;
    let drinks = app.account(&client["id"], "Acme Drinks").await;
    let res = patch(&app, &drinks, json!({"name": "acme SNACKS"})).await;
    assert_duplicate(&res, "name");
}

#[actix_web::test]
async fn patch_to_another_accounts_external_ref_is_409() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "external_ref": "PRJ-1"}),
    )
    .await;
    let drinks = app.account(&client["id"], "Acme Drinks").await;
    let res = patch(&app, &drinks, json!({"external_ref": "PRJ-1"})).await;
    assert_duplicate(&res, "external_ref");
}

#[actix_web::test]
async fn patch_may_change_the_case_of_its_own_name() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({"name": "ACME SNACKS"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["name"], "ACME SNACKS");
}

#[actix_web::test]
async fn concurrent_creates_of_one_name_within_a_client_make_one_account() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.post(ACCOUNTS)
            .token(&token)
            .json(json!({
                "client_id": client["id"],
                "name": if i % 2 == 0 { "Acme Snacks" } else { "ACME SNACKS" },
            }))
            .send()
    }))
    .await;
    assert_eq!(responses.iter().filter(|r| r.status == 201).count(), 1);
    for res in responses.iter().filter(|r| r.status != 201) {
        assert_duplicate(res, "name");
    }
    let page = list(&app, &format!("client_id={}", client["id"]))
        .await
        .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

/// With both fields taken, both backends name the same one: the name (see the clients'
/// twin of this test).
#[actix_web::test]
async fn an_update_taking_both_a_name_and_an_external_ref_is_409_on_name() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let body = json!({"client_id": client["id"], "name": "Snacks", "external_ref": "PRJ-1"});
    assert_eq!(create(&app, body).await.status, 201);
    let other = app.account(&client["id"], "Drinks").await;
    let res = patch(
        &app,
        &other,
        json!({"name": "snacks", "external_ref": "PRJ-1"}),
    )
    .await;
    assert_duplicate(&res, "name");
}
