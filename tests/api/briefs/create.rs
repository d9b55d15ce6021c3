//! Create, read and validation.

use std::collections::BTreeSet;

use super::*;

#[actix_web::test]
async fn create_answers_201_with_location_etag_the_author_and_a_draft() {
    let app = TestApp::spawn().await;
    let account = account(&app, "Acme Snacks").await;
    let (executive, token) = app.staff("account_executive").await;
    app.assign(&account["id"], executive).await;
    let res = create(
        &app,
        &token,
        json!({
            "account_id": account["id"], "title": "  Spring launch  ",
            "background": "Entering Italy.\nFirst TV campaign.",
            "budget": {"amount_minor": 12_000_000, "currency": "EUR"},
            "due_date": "2026-03-01"
        }),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let brief = res.json();
    let id = brief["id"].as_i64().expect("id");
    assert_eq!(
        res.header("location"),
        Some(format!("{BRIEFS}/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(brief["account_id"], account["id"]);
    assert_eq!(
        brief["client_id"], account["client_id"],
        "the account's client"
    );
    assert_eq!(brief["title"], "Spring launch", "trimmed");
    assert_eq!(brief["background"], "Entering Italy.\nFirst TV campaign.");
    assert_eq!(
        brief["budget"],
        json!({"amount_minor": 12_000_000, "currency": "EUR"})
    );
    assert_eq!(brief["due_date"], "2026-03-01");
    assert_eq!(brief["author_id"], executive, "the caller wrote it");
    assert_eq!(brief["status"], "draft");
    assert_eq!(brief["version"], 1);
    assert_eq!(
        brief["allowed_actions"],
        json!(["update", "delete", "submit", "cancel"])
    );
    let keys: BTreeSet<&str> = brief
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "account_id",
            "client_id",
            "title",
            "background",
            "objectives",
            "target_audience",
            "consumer_insight",
            "key_message",
            "deliverables",
            "mandatories",
            "budget",
            "due_date",
            "author_id",
            "status",
            "submitted_version",
            "approval_id",
            "version",
            "created_at",
            "updated_at",
            "allowed_actions",
        ])
    );
    let read = app.get(&brief_url(&brief["id"])).token(&token).send().await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), brief, "a read gives what the create answered");
    let trail = audit_trail(&app, "briefs", &id.to_string()).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0]["action"], "briefs.create");
    assert_eq!(trail[0]["actor_id"], executive);
}

#[actix_web::test]
async fn a_brief_on_an_account_outside_the_callers_reach_is_an_unknown_account() {
    let app = TestApp::spawn().await;
    let theirs = account(&app, "Theirs").await;
    let (_, token) = app.staff("account_executive").await;
    for account_id in [theirs["id"].as_i64().unwrap(), 987_654_321] {
        let res = create(
            &app,
            &token,
            json!({"account_id": account_id, "title": "Brief"}),
        )
        .await;
        let problem = assert_invalid(&res, "account_id", "unknown");
        assert_eq!(
            error(&problem, "account_id")["message"],
            format!("there is no account {account_id}"),
            "out of reach reads exactly as missing"
        );
    }
    assert!(list(&app, "").await.is_empty(), "nothing written");
}

#[actix_web::test]
async fn bad_fields_are_422_naming_each_field() {
    let app = TestApp::spawn().await;
    let account = account(&app, "Acme").await;
    let token = app.admin_token();
    let cases = [
        (json!({"title": " "}), "title", "blank"),
        (json!({"title": "x".repeat(201)}), "title", "length"),
        (json!({"title": "Two\nlines"}), "title", "control_character"),
        (
            json!({"title": "T", "key_message": "x".repeat(10_001)}),
            "key_message",
            "length",
        ),
        (
            json!({"title": "T", "budget": {"amount_minor": 1, "currency": "EURO"}}),
            "budget.currency",
            "currency",
        ),
        (
            json!({"title": "T", "budget": {"amount_minor": -1, "currency": "EUR"}}),
            "budget.amount_minor",
            "range",
        ),
        (
            json!({"title": "T", "due_date": "2026-02-30"}),
            "due_date",
            "type",
        ),
        (
            json!({"title": "T", "due_date": "01/03/2026"}),
            "due_date",
            "type",
        ),
    ];
    for (mut body, field, code) in cases {
        body["account_id"] = account["id"].clone();
        let res = create(&app, &token, body.clone()).await;
        assert_invalid(&res, field, code);
    }
    let res = create(&app, &token, json!({"title": "No account"})).await;
    assert_invalid(&res, "account_id", "required");
    assert!(list(&app, "").await.is_empty(), "nothing written");
}
