//! Validation.

use super::*;

#[actix_web::test]
async fn create_with_a_blank_name_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(&app, json!({"client_id": client["id"], "name": "   "})).await;
    assert_invalid(&res, "name", "blank");
    let res = create(&app, json!({"client_id": client["id"], "name": ""})).await;
    let problem = res.problem(422);
    assert_eq!(res.error_fields(), ["name"], "{problem}");
}

#[actix_web::test]
async fn create_with_a_too_long_name_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let ok = create(
        &app,
        json!({"client_id": client["id"], "name": "x".repeat(200)}),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "y".repeat(201)}),
    )
    .await;
    assert_invalid(&res, "name", "length");
}

#[actix_web::test]
async fn create_without_a_name_or_client_is_422_required() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    assert_invalid(
        &create(&app, json!({"client_id": client["id"]})).await,
        "name",
        "required",
    );
    assert_invalid(
        &create(&app, json!({"name": "Acme Snacks"})).await,
        "client_id",
        "required",
    );
}

#[actix_web::test]
async fn create_for_an_unknown_client_is_422_on_client_id() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"client_id": 999_999, "name": "Acme Snacks"})).await;
    let problem = assert_invalid(&res, "client_id", "unknown");
    assert_eq!(res.error_fields(), ["client_id"], "{problem}");
}

#[actix_web::test]
async fn create_with_a_client_id_that_is_not_a_number_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"client_id": "acme", "name": "Acme Snacks"})).await;
    assert_invalid(&res, "client_id", "type");
}

#[actix_web::test]
async fn create_with_an_unknown_manager_is_422_on_manager_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "manager_id": 999_999}),
    )
    .await;
    assert_invalid(&res, "manager_id", "unknown");
}

#[actix_web::test]
async fn create_with_a_deactivated_manager_is_422_on_manager_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, _) = app.staff("account_manager").await;
    deactivate(&app, manager_id).await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "manager_id": manager_id}),
    )
    .await;
    assert_invalid(&res, "manager_id", "inactive");
}

#[actix_web::test]
async fn create_with_a_currency_that_is_not_iso_4217_is_422_on_the_currency() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for currency in ["EURO", "eur", "XXY", "", "€"] {
        let res = create(
            &app,
            json!({
                "client_id": client["id"], "name": "Acme Snacks",
                "budget": {"amount_minor": 100, "currency": currency},
            }),
        )
        .await;
        let problem = assert_invalid(&res, "budget.currency", "currency");
        assert_eq!(
            res.error_fields(),
            ["budget.currency"],
            "{currency}: {problem}"
        );
    }
    let res = create(
        &app,
        json!({
            "client_id": client["id"], "name": "Acme Snacks",
            "payment_approval_threshold": {"amount_minor": 100, "currency": "eur"},
        }),
    )
    .await;
    assert_invalid(&res, "payment_approval_threshold.currency", "currency");
}

#[actix_web::test]
async fn create_with_a_negative_amount_is_422_on_amount_minor() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(-1)}),
    )
    .await;
    assert_invalid(&res, "budget.amount_minor", "range");
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "payment_approval_threshold": eur(-500)}),
    )
    .await;
    assert_invalid(&res, "payment_approval_threshold.amount_minor", "range");
}

#[actix_web::test]
async fn create_with_a_fractional_amount_is_422_as_money_is_never_a_float() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({
            "client_id": client["id"], "name": "Acme Snacks",
            "budget": {"amount_minor": 12.5, "currency": "EUR"},
        }),
    )
    .await;
    assert_invalid(&res, "budget.amount_minor", "type");
}

#[actix_web::test]
async fn create_with_money_missing_a_member_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": {"amount_minor": 100}}),
    )
    .await;
    assert_invalid(&res, "budget.currency", "required");
}

#[actix_web::test]
async fn create_with_an_unknown_status_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "status": "dormant"}),
    )
    .await;
    let problem = assert_invalid(&res, "status", "type");
    let message = error(&problem, "status")["message"].as_str().unwrap();
    assert!(
        message.contains("closed"),
        "lists the valid values: {message}"
    );
}

#[actix_web::test]
async fn create_reports_every_invalid_field_at_once() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({
            "client_id": client["id"],
            "name": " ",
            "budget": eur(-1),
            "payment_approval_threshold": {"amount_minor": 1, "currency": "EURO"},
            "external_ref": "",
        }),
    )
    .await;
    let problem = res.problem(422);
    assert_eq!(
        res.error_fields(),
        [
            "budget.amount_minor",
            "external_ref",
            "name",
            "payment_approval_threshold.currency"
        ],
        "{problem}"
    );
}

#[actix_web::test]
async fn patch_with_client_id_is_422_as_an_account_stays_with_its_client() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    let account = app.account(&acme["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({"client_id": globex["id"]})).await;
    assert_invalid(&res, "client_id", "unknown_field");
    let stored = get(&app, &app.admin_token(), &account).await.json();
    assert_eq!(stored["client_id"], acme["id"]);
    assert_eq!(stored["version"], 1);
}

#[actix_web::test]
async fn patch_with_a_null_name_or_status_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({"name": null})).await;
    let problem = res.problem(422);
    assert_eq!(res.error_fields(), ["name"], "{problem}");
    let res = patch(&app, &account, json!({"status": null})).await;
    let problem = res.problem(422);
    assert_eq!(res.error_fields(), ["status"], "{problem}");
}

#[actix_web::test]
async fn patch_validates_like_create() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let cases = [
        (json!({"name": "  "}), "name", "blank"),
        (json!({"status": "dormant"}), "status", "type"),
        (json!({"budget": eur(-1)}), "budget.amount_minor", "range"),
        (
            json!({"budget": {"amount_minor": 1, "currency": "XXY"}}),
            "budget.currency",
            "currency",
        ),
        (
            json!({"payment_approval_threshold": {"amount_minor": 1, "currency": "eur"}}),
            "payment_approval_threshold.currency",
            "currency",
        ),
        (json!({"external_ref": ""}), "external_ref", "length"),
    ];
    for (body, field, code) in cases {
        assert_invalid(&patch(&app, &account, body).await, field, code);
    }
    assert_eq!(
        get(&app, &app.admin_token(), &account).await.json()["version"],
        1
    );
}
