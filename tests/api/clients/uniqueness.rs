//! Uniqueness.

use super::*;

#[actix_web::test]
async fn create_with_a_taken_name_is_409_on_name() {
    let app = TestApp::spawn().await;
    app.client("Acme Foods").await;
    let res = create(&app, json!({"name": "Acme Foods"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "unique", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_name_in_other_case_is_409_on_name() {
    let app = TestApp::spawn().await;
    app.client("Acme Foods").await;
    let res = create(&app, json!({"name": " ACME foods "})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_non_ascii_name_is_409_on_name() {
    let app = TestApp::spawn().await;
    app.client("École Bistrot").await;
    let res = create(&app, json!({"name": "École Bistrot"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_non_ascii_name_in_other_case_is_409() {
    let app = TestApp::spawn().await;
    app.client("École Bistrot").await;
    let res = create(&app, json!({"name": "école bistrot"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_external_ref_is_409_on_external_ref() {
    let app = TestApp::spawn().await;
    let first = create(&app, json!({"name": "Acme", "external_ref": "ACC-1"})).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let res = create(&app, json!({"name": "Globex", "external_ref": "ACC-1"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "external_ref", "{problem}");
}

#[actix_web::test]
async fn patch_to_another_clients_name_is_409() {
    let app = TestApp::spawn().await;
    app.client("Acme").await;
    let globex = app.client("Globex").await;
    let res = app
        .patch(&client_url(&globex["id"]))
        .token(&app.admin_token())
        .json(json!({"name": "acme"}))
        .send()
        .await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn patch_to_another_clients_external_ref_is_409() {
    let app = TestApp::spawn().await;
    create(&app, json!({"name": "Acme", "external_ref": "ACC-1"})).await;
    let globex = app.client("Globex").await;
    let res = app
        .patch(&client_url(&globex["id"]))
        .token(&app.admin_token())
        .json(json!({"external_ref": "ACC-1"}))
        .send()
        .await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "external_ref", "{problem}");
}

#[actix_web::test]
async fn patch_may_change_the_case_of_its_own_name() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let res = app
        .patch(&client_url(&acme["id"]))
        .token(&app.admin_token())
        .json(json!({"name": "ACME"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["name"], "ACME");
}

/// The write itself is the uniqueness check; with both fields taken, both backends name
/// the same one (the name, whose index comes first), so the answer never depends on them.
#[actix_web::test]
async fn create_with_both_name_and_external_ref_taken_is_409_on_name() {
    let app = TestApp::spawn().await;
    let first = create(&app, json!({"name": "Acme", "external_ref": "ACC-1"})).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let res = create(&app, json!({"name": "ACME", "external_ref": "ACC-1"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    assert_eq!(
        problem["detail"], "a client named \"ACME\" already exists",
        "{problem}"
    );
}
