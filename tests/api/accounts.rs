//! `/api/v1/accounts` and `/api/v1/accounts/{id}/team`: every operation, and every error
//! a user can run into there.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::*;

const ACCOUNTS: &str = "/api/v1/accounts";

fn account_url(id: &Value) -> String {
    format!("{ACCOUNTS}/{}", id.as_i64().expect("numeric id"))
}

fn team_url(account_id: &Value) -> String {
    format!("{}/team", account_url(account_id))
}

fn member_url(account_id: &Value, staff_id: i64) -> String {
    format!("{}/team/{staff_id}", account_url(account_id))
}

async fn create(app: &TestApp, body: Value) -> Resp {
    app.post(ACCOUNTS)
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn get(app: &TestApp, token: &str, account: &Value) -> Resp {
    app.get(&account_url(&account["id"]))
        .token(token)
        .send()
        .await
}

async fn patch(app: &TestApp, account: &Value, body: Value) -> Resp {
    app.patch(&account_url(&account["id"]))
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn list(app: &TestApp, query: &str) -> Resp {
    app.get(&format!("{ACCOUNTS}?{query}"))
        .token(&app.admin_token())
        .send()
        .await
}

async fn put_member(app: &TestApp, account: &Value, staff_id: i64, role: &str) -> Resp {
    app.put(&member_url(&account["id"], staff_id))
        .token(&app.admin_token())
        .json(json!({"role_on_account": role}))
        .send()
        .await
}

async fn team(app: &TestApp, account: &Value) -> Vec<Value> {
    let res = app
        .get(&team_url(&account["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["data"].as_array().expect("data array").clone()
}

/// Hires a staff member with a chosen name; returns id and email.
async fn hire(app: &TestApp, role: &str, full_name: &str) -> (i64, String) {
    let email = format!("{}@suits.test", uuid::Uuid::new_v4().simple());
    let res = app
        .post("/api/v1/staff")
        .token(&app.admin_token())
        .json(json!({"email": email, "full_name": full_name, "role": role, "password": STAFF_PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    (res.json()["id"].as_i64().unwrap(), email)
}

async fn deactivate(app: &TestApp, staff_id: i64) {
    let res = app
        .patch(&format!("/api/v1/staff/{staff_id}"))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "deactivate: {}", res.text());
}

/// Every page of `query`, as the admin lists accounts.
async fn walk(app: &TestApp, query: &str) -> Vec<Vec<String>> {
    walk_pages(app, &app.admin_token(), ACCOUNTS, query).await
}

fn actions(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

fn error<'a>(problem: &'a Value, field: &str) -> &'a Value {
    problem["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("no error for field {field}: {problem}"))
}

/// Asserts a 422 naming `field` with `code`, with a human-readable message.
#[track_caller]
fn assert_invalid(res: &Resp, field: &str, code: &str) -> Value {
    let problem = res.problem(422);
    let e = error(&problem, field);
    assert_eq!(e["code"], code, "{problem}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{problem}"
    );
    problem
}

/// Asserts a 409 uniqueness conflict on `field`.
#[track_caller]
fn assert_duplicate(res: &Resp, field: &str) {
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "unique", "{problem}");
}

fn eur(amount_minor: i64) -> Value {
    json!({"amount_minor": amount_minor, "currency": "EUR"})
}

// ---------------------------------------------------------------------------------------
// Create and read

#[actix_web::test]
async fn create_answers_201_with_location_etag_and_defaults() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let account = res.json();
    let id = account["id"].as_i64().expect("id");
    assert_eq!(
        res.header("location"),
        Some(format!("{ACCOUNTS}/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(account["client_id"], client["id"]);
    assert_eq!(account["name"], "Acme Snacks");
    assert_eq!(account["status"], "active");
    assert_eq!(account["manager_id"], app.admin_id, "the caller manages it");
    assert_eq!(account["budget"], Value::Null);
    assert_eq!(account["payment_approval_threshold"], Value::Null);
    assert_eq!(account["external_ref"], Value::Null);
    assert_eq!(account["version"], 1);
    assert!(account["created_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert_eq!(account["created_at"], account["updated_at"]);
    assert_eq!(
        account["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    let keys: BTreeSet<&str> = account
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "allowed_actions",
            "budget",
            "client_id",
            "created_at",
            "external_ref",
            "id",
            "manager_id",
            "name",
            "payment_approval_threshold",
            "status",
            "updated_at",
            "version",
        ])
    );
}

#[actix_web::test]
async fn create_stores_money_as_amount_minor_and_currency() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, _) = app.staff("account_manager").await;
    let input = json!({
        "client_id": client["id"],
        "name": "Acme Snacks",
        "status": "paused",
        "manager_id": manager_id,
        "budget": {"amount_minor": 25_000_000, "currency": "EUR"},
        "payment_approval_threshold": {"amount_minor": 500_000, "currency": "USD"},
        "external_ref": "PRJ-7781",
    });
    let res = create(&app, input.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let account = res.json();
    for (field, value) in input.as_object().unwrap() {
        assert_eq!(&account[field], value, "{field}");
    }
}

#[actix_web::test]
async fn create_accepts_a_zero_budget() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Pro bono", "budget": eur(0)}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["budget"], eur(0));
}

#[actix_web::test]
async fn create_trims_the_name() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "  Acme Snacks \t"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["name"], "Acme Snacks");
}

#[actix_web::test]
async fn get_returns_the_created_account_with_the_same_etag() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let created = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(100)}),
    )
    .await;
    let account = created.json();
    let res = get(&app, &app.admin_token(), &account).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), account);
    assert_eq!(res.header("etag"), created.header("etag"));
}

#[actix_web::test]
async fn a_manager_creating_an_account_manages_it_and_may_do_everything_with_it() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, manager) = app.staff("account_manager").await;
    // A manager may only open accounts for a client they already work for.
    app.assign_to_client(&client["id"], manager_id).await;
    let res = app
        .post(ACCOUNTS)
        .token(&manager)
        .json(json!({"client_id": client["id"], "name": "Acme Drinks"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let account = res.json();
    assert_eq!(account["manager_id"], manager_id);
    assert_eq!(
        account["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    let read = get(&app, &manager, &account).await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(
        read.json()["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
}

#[actix_web::test]
async fn an_executive_on_the_team_reads_the_account_with_no_allowed_actions() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (executive_id, executive) = app.staff("account_executive").await;
    app.assign(&account["id"], executive_id).await;
    let res = get(&app, &executive, &account).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!([]));
}

#[actix_web::test]
async fn an_executive_may_read_accounts_and_teams_but_not_change_them() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (executive_id, executive) = app.staff("account_executive").await;
    app.assign(&account["id"], executive_id).await;

    let res = app
        .get(&team_url(&account["id"]))
        .token(&executive)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let refused = [
        app.post(ACCOUNTS)
            .token(&executive)
            .json(json!({"client_id": client["id"], "name": "Acme Drinks"}))
            .send()
            .await,
        app.patch(&account_url(&account["id"]))
            .token(&executive)
            .json(json!({"status": "paused"}))
            .send()
            .await,
        app.delete(&account_url(&account["id"]))
            .token(&executive)
            .send()
            .await,
        app.put(&member_url(&account["id"], executive_id))
            .token(&executive)
            .json(json!({"role_on_account": "lead"}))
            .send()
            .await,
        app.delete(&member_url(&account["id"], executive_id))
            .token(&executive)
            .send()
            .await,
    ];
    for res in refused {
        res.problem(403);
    }
    assert_eq!(
        get(&app, &app.admin_token(), &account).await.json()["version"],
        1
    );
}

#[actix_web::test]
async fn every_account_endpoint_needs_a_token() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let one = account_url(&account["id"]);
    let member = member_url(&account["id"], app.admin_id);
    let body = json!({"client_id": client["id"], "name": "X", "role_on_account": "lead"});
    for res in [
        app.get(ACCOUNTS).send().await,
        app.post(ACCOUNTS).json(body.clone()).send().await,
        app.get(&one).send().await,
        app.patch(&one).json(json!({})).send().await,
        app.delete(&one).send().await,
        app.get(&team_url(&account["id"])).send().await,
        app.put(&member).json(body.clone()).send().await,
        app.delete(&member).send().await,
    ] {
        res.problem(401);
        assert!(res.header("www-authenticate").is_some());
    }
}

#[actix_web::test]
async fn get_of_an_unknown_or_malformed_id_is_404() {
    let app = TestApp::spawn().await;
    for path in ["999999", "abc", "1.5", "99999999999999999999999"] {
        app.get(&format!("{ACCOUNTS}/{path}"))
            .token(&app.admin_token())
            .send()
            .await
            .problem(404);
    }
}

// ---------------------------------------------------------------------------------------
// Validation

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
async fn create_with_an_unknown_field_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "colour": "red"}),
    )
    .await;
    assert_invalid(&res, "colour", "unknown_field");
    let res = create(
        &app,
        json!({
            "client_id": client["id"], "name": "Acme Snacks",
            "budget": {"amount_minor": 100, "currency": "EUR", "cents": 5},
        }),
    )
    .await;
    assert_invalid(&res, "budget.cents", "unknown_field");
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
        (json!({"colour": "red"}), "colour", "unknown_field"),
    ];
    for (body, field, code) in cases {
        assert_invalid(&patch(&app, &account, body).await, field, code);
    }
    assert_eq!(
        get(&app, &app.admin_token(), &account).await.json()["version"],
        1
    );
}

// ---------------------------------------------------------------------------------------
// Uniqueness

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

// ---------------------------------------------------------------------------------------
// List: paging

#[actix_web::test]
async fn list_walks_every_page_exactly_once_oldest_first() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let mut created = Vec::new();
    for i in 1..=7 {
        let account = app.account(&client["id"], &format!("Account {i}")).await;
        created.push(account["name"].as_str().unwrap().to_owned());
    }
    let pages = walk(&app, "limit=3").await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    assert_eq!(pages.concat(), created, "no overlap, no gaps");
}

#[actix_web::test]
async fn list_returns_50_by_default_and_at_most_200() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for i in 0..52 {
        app.account(&client["id"], &format!("Account {i:02}")).await;
    }
    let body = list(&app, "").await.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 50);
    assert!(body["next_cursor"].is_string());
    let body = list(&app, "limit=200").await.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 52);
    assert_eq!(body["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn list_link_header_keeps_the_filters_and_gives_the_next_page() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    for name in ["North", "South", "East", "West"] {
        app.account(&acme["id"], name).await;
        app.account(&globex["id"], name).await;
    }
    let first = list(&app, &format!("limit=2&sort=name&client_id={}", acme["id"])).await;
    assert_eq!(names(&first.json()), ["East", "North"]);
    let link = first.header("link").expect("Link header").to_owned();
    let url = link
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix(">; rel=\"next\""))
        .unwrap_or_else(|| panic!("Link is not one rel=next link: {link}"));
    assert!(url.starts_with("/api/v1/accounts?"), "{url}");
    let next = app.get(url).token(&app.admin_token()).send().await;
    assert_eq!(next.status, 200, "{url}: {}", next.text());
    let body = next.json();
    assert_eq!(names(&body), ["South", "West"]);
    assert!(body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["client_id"] == acme["id"]));
}

#[actix_web::test]
async fn list_with_bad_parameters_is_400() {
    let app = TestApp::spawn().await;
    for query in [
        "limit=0",
        "limit=201",
        "limit=ten",
        "sort=colour",
        "sort=--name",
        "sort=budget",
        "status=dormant",
        "client_id=acme",
        "manager_id=x",
        "updated_since=yesterday",
        "updated_since=2026-01-01",
        "cursor=garbage",
        "colour=red",
    ] {
        let res = list(&app, query).await;
        assert_eq!(res.status, 400, "{query}: {}", res.text());
        res.problem(400);
    }
}

#[actix_web::test]
async fn list_cursor_reused_with_another_sort_is_400() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in ["Alpha", "Bravo", "Charlie"] {
        app.account(&client["id"], name).await;
    }
    let first = list(&app, "limit=1&sort=name").await.json();
    let cursor = first["next_cursor"].as_str().expect("a next page");
    for sort in ["-name", "created_at", "updated_at"] {
        list(&app, &format!("limit=1&sort={sort}&cursor={cursor}"))
            .await
            .problem(400);
    }
}

// ---------------------------------------------------------------------------------------
// List: sorting

const UNSORTED: [&str; 6] = ["Delta", "Alpha", "Foxtrot", "Charlie", "Echo", "Bravo"];

#[actix_web::test]
async fn list_sorts_by_name_both_ways_across_pages() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in UNSORTED {
        app.account(&client["id"], name).await;
    }
    let mut sorted: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    assert_eq!(walk(&app, "limit=4&sort=name").await.concat(), sorted);
    sorted.reverse();
    assert_eq!(walk(&app, "limit=4&sort=-name").await.concat(), sorted);
}

#[actix_web::test]
async fn list_by_name_pages_through_equal_names_once_each() {
    let app = TestApp::spawn().await;
    let mut ids = BTreeSet::new();
    // One account name under several clients: the id breaks the tie in the cursor.
    for client in ["Acme", "Globex", "Initech", "Umbrella", "Hooli"] {
        let client = app.client(client).await;
        ids.insert(
            app.account(&client["id"], "Europe").await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for sort in ["name", "-name"] {
        let mut seen = Vec::new();
        let mut res = list(&app, &format!("limit=2&sort={sort}")).await;
        loop {
            assert_eq!(res.status, 200, "{}", res.text());
            let body = res.json();
            seen.extend(
                body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["id"].as_i64().unwrap()),
            );
            let Some(cursor) = body["next_cursor"].as_str() else {
                break;
            };
            assert!(seen.len() < 20, "pagination does not end: {seen:?}");
            res = list(&app, &format!("limit=2&sort={sort}&cursor={cursor}")).await;
        }
        assert_eq!(seen.len(), ids.len(), "{sort}: {seen:?}");
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), ids, "{sort}");
    }
}

#[actix_web::test]
async fn list_sorts_by_created_at_both_ways_across_pages() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in UNSORTED {
        app.account(&client["id"], name).await;
    }
    let oldest_first: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        walk(&app, "limit=4&sort=created_at").await.concat(),
        oldest_first
    );
    let newest_first: Vec<String> = UNSORTED.iter().rev().map(|s| s.to_string()).collect();
    assert_eq!(
        walk(&app, "limit=4&sort=-created_at").await.concat(),
        newest_first
    );
}

#[actix_web::test]
async fn list_sorts_by_updated_at_both_ways_across_pages() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let mut accounts = Vec::new();
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        accounts.push(app.account(&client["id"], name).await);
    }
    for account in [&accounts[1], &accounts[3]] {
        let res = patch(&app, account, json!({"status": "paused"})).await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    assert_eq!(
        walk(&app, "limit=2&sort=updated_at").await.concat(),
        ["Alpha", "Charlie", "Echo", "Bravo", "Delta"]
    );
    assert_eq!(
        walk(&app, "limit=2&sort=-updated_at").await.concat(),
        ["Delta", "Bravo", "Echo", "Charlie", "Alpha"]
    );
}

// ---------------------------------------------------------------------------------------
// List: filters

#[actix_web::test]
async fn list_filters_by_client_id() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    app.account(&acme["id"], "Snacks").await;
    app.account(&globex["id"], "Energy").await;
    app.account(&acme["id"], "Drinks").await;
    let res = list(&app, &format!("client_id={}", acme["id"])).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(names(&res.json()), ["Snacks", "Drinks"]);
    assert_eq!(
        names(&list(&app, "client_id=999999").await.json()),
        Vec::<String>::new()
    );
}

#[actix_web::test]
async fn list_filters_by_status() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for (name, status) in [
        ("Snacks", "active"),
        ("Drinks", "paused"),
        ("Pets", "closed"),
        ("Toys", "active"),
    ] {
        let res = create(
            &app,
            json!({"client_id": client["id"], "name": name, "status": status}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    assert_eq!(
        names(&list(&app, "status=active").await.json()),
        ["Snacks", "Toys"]
    );
    assert_eq!(names(&list(&app, "status=paused").await.json()), ["Drinks"]);
    assert_eq!(names(&list(&app, "status=closed").await.json()), ["Pets"]);
}

#[actix_web::test]
async fn list_filters_by_manager_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, _) = app.staff("account_manager").await;
    app.account(&client["id"], "Snacks").await;
    create(
        &app,
        json!({"client_id": client["id"], "name": "Drinks", "manager_id": manager_id}),
    )
    .await;
    assert_eq!(
        names(&list(&app, &format!("manager_id={manager_id}")).await.json()),
        ["Drinks"]
    );
    assert_eq!(
        names(
            &list(&app, &format!("manager_id={}", app.admin_id))
                .await
                .json()
        ),
        ["Snacks"]
    );
}

#[actix_web::test]
async fn list_filters_combine_with_and() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    create(
        &app,
        json!({"client_id": acme["id"], "name": "Snacks", "status": "paused"}),
    )
    .await;
    create(&app, json!({"client_id": acme["id"], "name": "Drinks"})).await;
    create(
        &app,
        json!({"client_id": globex["id"], "name": "Energy", "status": "paused"}),
    )
    .await;
    let query = format!("client_id={}&status=paused", acme["id"]);
    assert_eq!(names(&list(&app, &query).await.json()), ["Snacks"]);
}

#[actix_web::test]
async fn list_q_matches_a_substring_of_the_name_ignoring_case() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in ["Acme Snacks", "SNACK bar", "Drinks", "École Snacks"] {
        app.account(&client["id"], name).await;
    }
    assert_eq!(
        names(&list(&app, "q=sNaCk").await.json()),
        ["Acme Snacks", "SNACK bar", "École Snacks"]
    );
    assert_eq!(
        names(&list(&app, &format!("q={}", encode("école"))).await.json()),
        ["École Snacks"]
    );
    let problem = list(&app, "q=").await.problem(400);
    assert_eq!(problem["errors"][0]["field"], "q");
}

#[actix_web::test]
async fn list_q_matches_percent_and_underscore_literally() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in ["100% Juice", "100 Juice", "Snake_Case", "SnakeXCase"] {
        app.account(&client["id"], name).await;
    }
    assert_eq!(
        names(&list(&app, &format!("q={}", encode("%"))).await.json()),
        ["100% Juice"]
    );
    assert_eq!(names(&list(&app, "q=e_c").await.json()), ["Snake_Case"]);
}

#[actix_web::test]
async fn list_filters_by_updated_since() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let snacks = app.account(&client["id"], "Snacks").await;
    app.account(&client["id"], "Drinks").await;
    let updated = patch(&app, &snacks, json!({"status": "paused"}))
        .await
        .json();
    let since = updated["updated_at"].as_str().unwrap();
    let res = list(&app, &format!("updated_since={}", encode(since))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(names(&res.json()), ["Snacks"], "at or after {since}");
    let res = list(&app, "updated_since=2000-01-01T00:00:00%2B02:00").await;
    assert_eq!(names(&res.json()), ["Snacks", "Drinks"]);
    let res = list(&app, "updated_since=2999-01-01T00:00:00Z").await;
    assert_eq!(names(&res.json()), Vec::<String>::new());
}

#[actix_web::test]
async fn list_items_carry_money_as_objects() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    create(
        &app,
        json!({"client_id": client["id"], "name": "Snacks", "budget": eur(1234), "payment_approval_threshold": eur(50)}),
    )
    .await;
    let item = list(&app, "").await.json()["data"][0].clone();
    assert_eq!(item["budget"], eur(1234));
    assert_eq!(item["payment_approval_threshold"], eur(50));
}

// ---------------------------------------------------------------------------------------
// Update

#[actix_web::test]
async fn patch_changes_only_the_fields_given_and_null_clears() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = create(
        &app,
        json!({
            "client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000),
            "payment_approval_threshold": eur(100), "external_ref": "PRJ-1",
        }),
    )
    .await
    .json();
    let res = patch(&app, &account, json!({"budget": null, "status": "paused"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let updated = res.json();
    assert_eq!(updated["budget"], Value::Null);
    assert_eq!(updated["status"], "paused");
    assert_eq!(updated["name"], "Acme Snacks");
    assert_eq!(updated["payment_approval_threshold"], eur(100));
    assert_eq!(updated["external_ref"], "PRJ-1");
    assert_eq!(updated["manager_id"], app.admin_id);
    assert_eq!(updated["client_id"], client["id"]);
    assert_eq!(updated["created_at"], account["created_at"]);
    assert_eq!(
        get(&app, &app.admin_token(), &account).await.json(),
        updated
    );
}

#[actix_web::test]
async fn patch_replaces_money_whole() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000)}),
    )
    .await
    .json();
    let res = patch(
        &app,
        &account,
        json!({"budget": {"amount_minor": 2500, "currency": "GBP"}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["budget"],
        json!({"amount_minor": 2500, "currency": "GBP"})
    );
    // Money is one value: half of it is not a patch of the other half.
    let res = patch(&app, &account, json!({"budget": {"amount_minor": 1}})).await;
    assert_invalid(&res, "budget.currency", "required");
}

#[actix_web::test]
async fn patch_may_change_the_manager_and_clear_it() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (manager_id, _) = app.staff("account_manager").await;
    let res = patch(&app, &account, json!({"manager_id": manager_id})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["manager_id"], manager_id);
    let res = patch(&app, &account, json!({"manager_id": null})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["manager_id"], Value::Null);
}

#[actix_web::test]
async fn patch_to_an_inactive_or_unknown_manager_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (manager_id, _) = app.staff("account_manager").await;
    deactivate(&app, manager_id).await;
    let res = patch(&app, &account, json!({"manager_id": manager_id})).await;
    assert_invalid(&res, "manager_id", "inactive");
    let res = patch(&app, &account, json!({"manager_id": 999_999})).await;
    assert_invalid(&res, "manager_id", "unknown");
    let stored = get(&app, &app.admin_token(), &account).await.json();
    assert_eq!(stored["manager_id"], app.admin_id);
    assert_eq!(stored["version"], 1);
}

#[actix_web::test]
async fn an_account_whose_manager_left_can_still_be_edited() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, _) = app.staff("account_manager").await;
    let account = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "manager_id": manager_id}),
    )
    .await
    .json();
    deactivate(&app, manager_id).await;
    let res = patch(&app, &account, json!({"budget": eur(5000)})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["manager_id"], manager_id);
}

#[actix_web::test]
async fn closing_an_account_is_a_status_change() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({"status": "closed"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["status"], "closed");
    let read = get(&app, &app.admin_token(), &account).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["status"], "closed");
    assert_eq!(
        names(&list(&app, "status=closed").await.json()),
        ["Acme Snacks"]
    );
}

#[actix_web::test]
async fn patch_increments_the_version_and_etag() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({"budget": eur(1)})).await;
    assert_eq!(res.json()["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let res = patch(&app, &account, json!({"budget": eur(2)})).await;
    assert_eq!(res.json()["version"], 3);
    assert_eq!(res.header("etag"), Some("\"3\""));
    let read = get(&app, &app.admin_token(), &account).await;
    assert_eq!(read.header("etag"), Some("\"3\""));
}

#[actix_web::test]
async fn patch_with_the_current_etag_in_if_match_succeeds() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = app
        .patch(&account_url(&account["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"1\"")
        .json(json!({"status": "paused"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"2\""));
}

#[actix_web::test]
async fn patch_with_a_stale_etag_is_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    patch(&app, &account, json!({"status": "paused"})).await;
    for stale in ["\"1\"", "W/\"2\"", "\"99\""] {
        let res = app
            .patch(&account_url(&account["id"]))
            .token(&app.admin_token())
            .header("if-match", stale)
            .json(json!({"status": "closed"}))
            .send()
            .await;
        res.problem(412);
    }
    let stored = get(&app, &app.admin_token(), &account).await.json();
    assert_eq!(stored["status"], "paused");
    assert_eq!(stored["version"], 2);
}

#[actix_web::test]
async fn empty_patch_is_200_and_keeps_the_version() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), account);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let res = patch(
        &app,
        &account,
        json!({"name": "Acme Snacks", "status": "active"}),
    )
    .await;
    assert_eq!(res.json()["version"], 1, "the same values change nothing");
}

#[actix_web::test]
async fn patch_of_an_unknown_account_is_404() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(&format!("{ACCOUNTS}/999999"))
        .token(&app.admin_token())
        .json(json!({"status": "paused"}))
        .send()
        .await;
    res.problem(404);
}

#[actix_web::test]
async fn concurrent_patches_with_one_etag_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let url = account_url(&account["id"]);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.patch(&url)
            .token(&token)
            .header("if-match", "\"1\"")
            .json(json!({"budget": eur(i)}))
            .send()
    }))
    .await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412]);
    let events = audit_trail(&app, "account", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.update"]);
}

// ---------------------------------------------------------------------------------------
// Delete

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
async fn delete_with_a_stale_etag_is_412_and_keeps_the_account() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    patch(&app, &account, json!({"status": "paused"})).await;
    let res = app
        .delete(&account_url(&account["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"1\"")
        .send()
        .await;
    res.problem(412);
    assert_eq!(get(&app, &app.admin_token(), &account).await.status, 200);
    let res = app
        .delete(&account_url(&account["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"2\"")
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
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
    let events = audit_trail(&app, "client", &client["id"].to_string()).await;
    assert_eq!(actions(&events), ["clients.create"]);
}

// ---------------------------------------------------------------------------------------
// Teams

#[actix_web::test]
async fn the_team_lists_each_member_by_name_with_their_details() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (marco, marco_email) = hire(&app, "account_executive", "Marco Bianchi").await;
    let (anna, anna_email) = hire(&app, "account_planner", "Anna Verdi").await;
    put_member(&app, &account, marco, "lead executive").await;
    put_member(&app, &account, anna, "planner").await;

    let members = team(&app, &account).await;
    assert_eq!(members.len(), 2, "{members:?}");
    let expected = [
        (anna, "Anna Verdi", anna_email, "planner"),
        (marco, "Marco Bianchi", marco_email, "lead executive"),
    ];
    for (member, (id, name, email, role)) in members.iter().zip(expected) {
        assert_eq!(member["staff_id"], id, "{member}");
        assert_eq!(member["full_name"], name, "{member}");
        assert_eq!(member["email"], email.as_str(), "{member}");
        assert_eq!(member["active"], true, "{member}");
        assert_eq!(member["role_on_account"], role, "{member}");
        assert!(member["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
    }
}

#[actix_web::test]
async fn a_new_account_has_an_empty_team() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    // The manager is not a team member by being the manager.
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn assigning_answers_201_first_and_200_when_repeated() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, email) = hire(&app, "account_executive", "Marco Bianchi").await;

    let first = put_member(&app, &account, staff_id, "lead executive").await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(
        first.header("location"),
        Some(member_url(&account["id"], staff_id).as_str())
    );
    let member = first.json();
    assert_eq!(member["staff_id"], staff_id);
    assert_eq!(member["email"], email.as_str());
    assert_eq!(member["role_on_account"], "lead executive");

    let again = put_member(&app, &account, staff_id, "lead executive").await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json(), member, "nothing changed");
    assert_eq!(team(&app, &account).await.len(), 1);
}

#[actix_web::test]
async fn the_location_of_a_new_team_member_can_be_read() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    let created = put_member(&app, &account, staff_id, "lead").await;
    assert_eq!(created.status, 201, "{}", created.text());
    let location = created.header("location").expect("Location").to_owned();
    // RFC 9110: a 201's Location identifies the resource created, for the caller to read.
    let res = app.get(&location).token(&app.admin_token()).send().await;
    assert_eq!(res.status, 200, "GET {location}: {}", res.text());
    assert_eq!(res.json(), created.json());
}

#[actix_web::test]
async fn repeating_an_assignment_writes_no_second_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    for _ in 0..3 {
        assert!(put_member(&app, &account, staff_id, "lead")
            .await
            .status
            .is_success());
    }
    let events = audit_trail(
        &app,
        "account_team",
        &format!("{}/{staff_id}", account["id"]),
    )
    .await;
    assert_eq!(actions(&events), ["accounts.assign"]);
}

#[actix_web::test]
async fn assigning_with_a_changed_role_is_200_and_one_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "executive").await;
    let res = put_member(&app, &account, staff_id, "lead executive").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["role_on_account"], "lead executive");
    assert_eq!(
        team(&app, &account).await[0]["role_on_account"],
        "lead executive"
    );

    let events = audit_trail(
        &app,
        "account_team",
        &format!("{}/{staff_id}", account["id"]),
    )
    .await;
    assert_eq!(actions(&events), ["accounts.assign", "accounts.assign"]);
    assert_eq!(
        events[1]["changes"],
        json!({"role_on_account": {"before": "executive", "after": "lead executive"}})
    );
}

#[actix_web::test]
async fn assigning_trims_the_role_and_refuses_a_blank_or_missing_one() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    let url = member_url(&account["id"], staff_id);
    let put = |body: Value| app.put(&url).token(&app.admin_token()).json(body).send();
    assert_invalid(
        &put(json!({"role_on_account": "  "})).await,
        "role_on_account",
        "blank",
    );
    assert_invalid(&put(json!({})).await, "role_on_account", "required");
    assert_invalid(
        &put(json!({"role_on_account": "r".repeat(101)})).await,
        "role_on_account",
        "length",
    );
    assert_invalid(
        &put(json!({"role_on_account": "lead", "colour": "red"})).await,
        "colour",
        "unknown_field",
    );
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
    let res = put(json!({"role_on_account": "  lead  "})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["role_on_account"], "lead");
}

#[actix_web::test]
async fn assigning_an_unknown_staff_member_is_422_on_staff_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = put_member(&app, &account, 999_999, "lead").await;
    assert_invalid(&res, "staff_id", "unknown");
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn assigning_a_deactivated_staff_member_is_422_on_staff_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    deactivate(&app, staff_id).await;
    let res = put_member(&app, &account, staff_id, "lead").await;
    assert_invalid(&res, "staff_id", "inactive");
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn team_operations_on_an_unknown_account_are_404() {
    let app = TestApp::spawn().await;
    let (staff_id, _) = app.staff("account_executive").await;
    let token = app.admin_token();
    app.get(&format!("{ACCOUNTS}/999999/team"))
        .token(&token)
        .send()
        .await
        .problem(404);
    app.put(&format!("{ACCOUNTS}/999999/team/{staff_id}"))
        .token(&token)
        .json(json!({"role_on_account": "lead"}))
        .send()
        .await
        .problem(404);
    app.delete(&format!("{ACCOUNTS}/999999/team/{staff_id}"))
        .token(&token)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn unassigning_answers_204_then_404() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    let url = member_url(&account["id"], staff_id);

    let res = app.delete(&url).token(&app.admin_token()).send().await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert!(res.body.is_empty());
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
    app.delete(&url)
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn unassigning_someone_never_on_the_team_is_404() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    for staff_id in [app.admin_id, 999_999] {
        app.delete(&member_url(&account["id"], staff_id))
            .token(&app.admin_token())
            .send()
            .await
            .problem(404);
    }
}

#[actix_web::test]
async fn a_deactivated_member_stays_on_the_team_and_cannot_act() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, token) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    assert_eq!(get(&app, &token, &account).await.status, 200);

    deactivate(&app, staff_id).await;
    let members = team(&app, &account).await;
    assert_eq!(members.len(), 1, "kept as history: {members:?}");
    assert_eq!(members[0]["staff_id"], staff_id);
    assert_eq!(members[0]["active"], false);
    get(&app, &token, &account).await.problem(401);
    app.get(&team_url(&account["id"]))
        .token(&token)
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn changing_the_role_of_a_deactivated_member_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    deactivate(&app, staff_id).await;
    // The endpoint's contract is that the staff member must be active; a deactivated
    // member is kept on the team as history, not given new work.
    let res = put_member(&app, &account, staff_id, "lead executive").await;
    assert_invalid(&res, "staff_id", "inactive");
    assert_eq!(team(&app, &account).await[0]["role_on_account"], "lead");
}

#[actix_web::test]
async fn a_deactivated_member_can_still_be_taken_off_the_team() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    deactivate(&app, staff_id).await;
    let res = app
        .delete(&member_url(&account["id"], staff_id))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn team_changes_leave_the_accounts_version_alone() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    // An ETag held by someone editing the budget must survive a team change.
    let res = app
        .patch(&account_url(&account["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"1\"")
        .json(json!({"budget": eur(10)}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn concurrent_assignments_of_one_member_add_them_once() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    let url = member_url(&account["id"], staff_id);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|_| {
        app.put(&url)
            .token(&token)
            .json(json!({"role_on_account": "lead"}))
            .send()
    }))
    .await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 201], "{responses:?}");
    let events = audit_trail(
        &app,
        "account_team",
        &format!("{}/{staff_id}", account["id"]),
    )
    .await;
    assert_eq!(actions(&events), ["accounts.assign"]);
}

#[actix_web::test]
async fn concurrent_unassignments_of_one_member_remove_them_once() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    let url = member_url(&account["id"], staff_id);
    let token = app.admin_token();
    let responses =
        futures_util::future::join_all((0..6).map(|_| app.delete(&url).token(&token).send())).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [204, 404, 404, 404, 404, 404], "{responses:?}");
    let events = audit_trail(
        &app,
        "account_team",
        &format!("{}/{staff_id}", account["id"]),
    )
    .await;
    assert_eq!(actions(&events), ["accounts.assign", "accounts.unassign"]);
}

#[actix_web::test]
async fn concurrent_deletes_of_one_account_delete_it_once() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let url = account_url(&account["id"]);
    let token = app.admin_token();
    let responses =
        futures_util::future::join_all((0..6).map(|_| app.delete(&url).token(&token).send())).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [204, 404, 404, 404, 404, 404], "{responses:?}");
    let events = audit_trail(&app, "account", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.delete"]);
}

// ---------------------------------------------------------------------------------------
// Audit trail

#[actix_web::test]
async fn create_writes_an_accounts_create_event_with_the_new_values() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000)}),
    )
    .await;
    let account = res.json();
    let events = audit_trail(&app, "account", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create"]);
    let event = &events[0];
    assert_eq!(event["actor_id"], app.admin_id);
    assert_eq!(event["request_id"], res.header("x-request-id").unwrap());
    assert_eq!(event["resource_id"], account["id"].to_string());
    let changes = &event["changes"];
    assert_eq!(
        changes["name"],
        json!({"before": null, "after": "Acme Snacks"})
    );
    assert_eq!(
        changes["client_id"],
        json!({"before": null, "after": client["id"]})
    );
    assert_eq!(
        changes["status"],
        json!({"before": null, "after": "active"})
    );
    assert_eq!(
        changes["manager_id"],
        json!({"before": null, "after": app.admin_id})
    );
    assert_eq!(
        changes["budget"],
        json!({"before": null, "after": eur(1000)})
    );
    assert!(
        changes.get("external_ref").is_none(),
        "unset fields did not change"
    );
    assert!(
        changes.get("allowed_actions").is_none(),
        "not part of the record"
    );
    assert!(changes.get("version").is_none());
}

#[actix_web::test]
async fn patch_writes_an_accounts_update_event_with_before_and_after() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (director_id, director) = app.staff("account_director").await;
    let account = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000)}),
    )
    .await
    .json();
    let res = app
        .patch(&account_url(&account["id"]))
        .token(&director)
        .header("x-request-id", "close-acme-snacks")
        .json(json!({"status": "closed", "budget": null, "name": "Acme Snacks"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let events = audit_trail(&app, "account", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.update"]);
    assert_eq!(events[1]["actor_id"], director_id);
    assert_eq!(events[1]["request_id"], "close-acme-snacks");
    assert_eq!(
        events[1]["changes"],
        json!({
            "status": {"before": "active", "after": "closed"},
            "budget": {"before": eur(1000), "after": null},
        })
    );
}

#[actix_web::test]
async fn delete_writes_an_accounts_delete_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = app
        .delete(&account_url(&account["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204);
    let events = audit_trail(&app, "account", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.delete"]);
    assert_eq!(events[1]["request_id"], res.header("x-request-id").unwrap());
    assert_eq!(
        events[1]["changes"]["name"],
        json!({"before": "Acme Snacks", "after": null})
    );
}

#[actix_web::test]
async fn assign_and_unassign_write_account_team_events() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    app.delete(&member_url(&account["id"], staff_id))
        .token(&app.admin_token())
        .send()
        .await;

    let resource_id = format!("{}/{staff_id}", account["id"]);
    let events = audit_trail(&app, "account_team", &resource_id).await;
    assert_eq!(actions(&events), ["accounts.assign", "accounts.unassign"]);
    assert!(events.iter().all(|e| e["resource_type"] == "account_team"));
    assert!(events.iter().all(|e| e["actor_id"] == app.admin_id));
    assert_eq!(
        events[0]["changes"],
        json!({
            "staff_id": {"before": null, "after": staff_id},
            "role_on_account": {"before": null, "after": "lead"},
        })
    );
    assert_eq!(
        events[1]["changes"],
        json!({
            "staff_id": {"before": staff_id, "after": null},
            "role_on_account": {"before": "lead", "after": null},
        })
    );
}

#[actix_web::test]
async fn failed_or_empty_account_mutations_write_no_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    app.account(&client["id"], "Acme Drinks").await;
    let (inactive_id, _) = app.staff("account_executive").await;
    deactivate(&app, inactive_id).await;
    let one = account_url(&account["id"]);
    let token = app.admin_token();

    patch(&app, &account, json!({"budget": eur(-1)}))
        .await
        .problem(422);
    patch(&app, &account, json!({"name": "Acme Drinks"}))
        .await
        .problem(409);
    patch(&app, &account, json!({"manager_id": inactive_id}))
        .await
        .problem(422);
    app.patch(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .json(json!({"status": "paused"}))
        .send()
        .await
        .problem(412);
    app.delete(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .send()
        .await
        .problem(412);
    put_member(&app, &account, inactive_id, "lead")
        .await
        .problem(422);
    assert_eq!(patch(&app, &account, json!({})).await.status, 200);

    let events = audit_trail(&app, "account", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create"]);
    let team_events = audit_trail(
        &app,
        "account_team",
        &format!("{}/{inactive_id}", account["id"]),
    )
    .await;
    assert_eq!(team_events, Vec::<Value>::new());
}

// ---------------------------------------------------------------------------------------
// GET /me

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
