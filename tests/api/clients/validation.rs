//! Validation.

use super::*;

#[actix_web::test]
async fn create_with_an_empty_name_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": ""})).await;
    let problem = res.problem(422);
    assert_eq!(res.error_fields(), ["name"], "{problem}");
    let code = &error(&problem, "name")["code"];
    assert!(code == "length" || code == "blank", "{problem}");
}

#[actix_web::test]
async fn create_with_a_blank_name_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "   "})).await;
    assert_invalid(&res, "name", "blank");
}

#[actix_web::test]
async fn create_without_a_name_is_422_required() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"industry": "Food"})).await;
    assert_invalid(&res, "name", "required");
}

#[actix_web::test]
async fn create_with_a_too_long_name_is_422() {
    let app = TestApp::spawn().await;
    assert_eq!(
        create(&app, json!({"name": "x".repeat(200)})).await.status,
        201
    );
    let res = create(&app, json!({"name": "y".repeat(201)})).await;
    assert_invalid(&res, "name", "length");
}

#[actix_web::test]
async fn a_website_must_be_an_http_or_https_address() {
    let app = TestApp::spawn().await;
    for bad in [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://files.acme.example",
        "https://",
    ] {
        let res = create(&app, json!({"name": "Acme", "website": bad})).await;
        assert_invalid(&res, "website", "url");
        let message = res.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("http or https"), "{bad}: {message}");
    }
    for (i, good) in [
        "https://acme.example",
        "http://acme.example/about?x=1",
        "HTTPS://ACME.EXAMPLE",
    ]
    .iter()
    .enumerate()
    {
        let res = create(&app, json!({"name": format!("Acme {i}"), "website": good})).await;
        assert_eq!(res.status, 201, "{good}: {}", res.text());
    }
    let id = create(&app, json!({"name": "Globex"})).await.json()["id"].clone();
    let res = app
        .patch(&format!("/api/v1/clients/{id}"))
        .token(&app.admin_token())
        .json(json!({"website": "javascript:alert(1)"}))
        .send()
        .await;
    assert_invalid(&res, "website", "url");
}

#[actix_web::test]
async fn create_with_a_website_that_is_not_a_url_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "website": "acme dot com"})).await;
    assert_invalid(&res, "website", "url");
}

#[actix_web::test]
async fn create_with_a_bad_contact_email_is_422() {
    let app = TestApp::spawn().await;
    let res = create(
        &app,
        json!({"name": "Acme", "primary_contact_email": "giulia-at-acme"}),
    )
    .await;
    assert_invalid(&res, "primary_contact_email", "email");
}

#[actix_web::test]
async fn create_with_a_wrongly_typed_field_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": 5})).await;
    assert_invalid(&res, "name", "type");
}

#[actix_web::test]
async fn create_with_an_unknown_enum_value_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "status": "dormant"})).await;
    let problem = assert_invalid(&res, "status", "type");
    let message = error(&problem, "status")["message"].as_str().unwrap();
    assert!(
        message.contains("prospect"),
        "the message lists the valid values: {message}"
    );
    let res = create(&app, json!({"name": "Acme", "health": "great"})).await;
    assert_invalid(&res, "health", "type");
}

#[actix_web::test]
async fn create_reports_every_invalid_field_at_once() {
    let app = TestApp::spawn().await;
    let res = create(
        &app,
        json!({
            "name": " ",
            "website": "not a url",
            "primary_contact_email": "nobody",
            "industry": "i".repeat(101),
        }),
    )
    .await;
    let problem = res.problem(422);
    let mut fields = res.error_fields();
    fields.dedup();
    assert_eq!(
        fields,
        ["industry", "name", "primary_contact_email", "website"],
        "{problem}"
    );
}

#[actix_web::test]
async fn create_with_an_empty_external_ref_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "external_ref": ""})).await;
    assert_invalid(&res, "external_ref", "length");
}
