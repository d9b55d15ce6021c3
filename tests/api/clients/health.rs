//! Health.

use super::*;

#[actix_web::test]
async fn put_health_sets_health_and_note() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = put_health(
        &app,
        &app.admin_token(),
        &client,
        json!({"health": "at_risk", "health_note": "Procurement is reviewing all agencies"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"2\""));
    let updated = res.json();
    assert_eq!(updated["health"], "at_risk");
    assert_eq!(
        updated["health_note"],
        "Procurement is reviewing all agencies"
    );
    assert_eq!(updated["name"], "Acme");

    let res = put_health(&app, &app.admin_token(), &client, json!({"health": "good"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["health"], "good");
    assert_eq!(
        res.json()["health_note"],
        Value::Null,
        "PUT replaces the note"
    );
}

#[actix_web::test]
async fn put_health_validates_its_body() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let token = app.admin_token();
    let res = put_health(&app, &token, &client, json!({"health_note": "?"})).await;
    assert_invalid(&res, "health", "required");
    let res = put_health(&app, &token, &client, json!({"health": "great"})).await;
    assert_invalid(&res, "health", "type");
    let res = put_health(
        &app,
        &token,
        &client,
        json!({"health": "good", "name": "X"}),
    )
    .await;
    assert_invalid(&res, "name", "unknown_field");
    let res = put_health(
        &app,
        &token,
        &client,
        json!({"health": "good", "health_note": "n".repeat(2001)}),
    )
    .await;
    assert_invalid(&res, "health_note", "length");
}

#[actix_web::test]
async fn put_health_of_an_unknown_client_is_404() {
    let app = TestApp::spawn().await;
    let res = app
        .put(&format!("{CLIENTS}/999999/health"))
        .token(&app.admin_token())
        .json(json!({"health": "watch"}))
        .send()
        .await;
    res.problem(404);
}

#[actix_web::test]
async fn executive_may_set_health_but_not_edit_or_create_clients() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (executive_id, executive) = app.staff("account_executive").await;
    app.assign_to_client(&client["id"], executive_id).await;

    let res = put_health(&app, &executive, &client, json!({"health": "watch"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["health"], "watch");

    let res = app
        .patch(&client_url(&client["id"]))
        .token(&executive)
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    let problem = res.problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("clients.write"),
        "{problem}"
    );
    app.post(CLIENTS)
        .token(&executive)
        .json(json!({"name": "Globex"}))
        .send()
        .await
        .problem(403);
    app.delete(&client_url(&client["id"]))
        .token(&executive)
        .send()
        .await
        .problem(403);
}
