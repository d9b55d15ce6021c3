//! Update.

use super::*;

#[actix_web::test]
async fn patch_changes_only_the_fields_given_and_null_clears() {
    let app = TestApp::spawn().await;
    let client = create(
        &app,
        json!({
            "name": "Acme", "legal_name": "Acme S.p.A.", "industry": "Food",
            "website": "https://acme.example", "primary_contact_name": "Giulia Rossi",
        }),
    )
    .await
    .json();
    let res = patch(
        &app,
        &client,
        json!({"industry": "Retail", "website": null, "status": "active"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let updated = res.json();
    assert_eq!(updated["industry"], "Retail");
    assert_eq!(updated["website"], Value::Null);
    assert_eq!(updated["status"], "active");
    assert_eq!(updated["name"], "Acme");
    assert_eq!(updated["legal_name"], "Acme S.p.A.");
    assert_eq!(updated["primary_contact_name"], "Giulia Rossi");
    assert_eq!(updated["health"], "good");
    assert_eq!(updated["created_at"], client["created_at"]);

    let stored = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await
        .json();
    assert_eq!(stored, updated);
}

#[actix_web::test]
async fn patch_with_a_null_name_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({"name": null})).await;
    let problem = res.problem(422);
    assert_eq!(res.error_fields(), ["name"], "{problem}");
    let res = patch(&app, &client, json!({"status": null})).await;
    res.problem(422);
}

#[actix_web::test]
async fn patch_validates_like_create() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    assert_invalid(
        &patch(&app, &client, json!({"name": "  "})).await,
        "name",
        "blank",
    );
    assert_invalid(
        &patch(&app, &client, json!({"website": "nope"})).await,
        "website",
        "url",
    );
    assert_invalid(
        &patch(&app, &client, json!({"primary_contact_email": "nope"})).await,
        "primary_contact_email",
        "email",
    );
    assert_invalid(
        &patch(&app, &client, json!({"status": "dormant"})).await,
        "status",
        "type",
    );
    assert_invalid(
        &patch(&app, &client, json!({"legal_name": 7})).await,
        "legal_name",
        "type",
    );
}

#[actix_web::test]
async fn patch_with_health_is_422_as_health_has_its_own_endpoint() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({"health": "at_risk"})).await;
    assert_invalid(&res, "health", "unknown_field");
}

#[actix_web::test]
async fn patch_increments_the_version_and_etag() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({"industry": "Food"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let res = patch(&app, &client, json!({"industry": "Retail"})).await;
    assert_eq!(res.json()["version"], 3);
    assert_eq!(res.header("etag"), Some("\"3\""));
    let read = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(read.header("etag"), Some("\"3\""));
}

#[actix_web::test]
async fn empty_patch_is_200_and_keeps_the_version() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), client);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let res = patch(&app, &client, json!({"name": "Acme"})).await;
    assert_eq!(
        res.json()["version"],
        1,
        "setting the same value changes nothing"
    );
}

#[actix_web::test]
async fn patch_of_an_unknown_client_is_404() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(&format!("{CLIENTS}/999999"))
        .token(&app.admin_token())
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    res.problem(404);
}
