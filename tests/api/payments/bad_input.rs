//! Bad requests for a payment: each a clear problem naming its field, and nothing
//! written — no payment, no approval, no audit event.

use super::*;

fn body(account: i64, amount: Value) -> Value {
    json!({
        "account_id": account, "direction": "outgoing", "amount": amount,
        "description": "Media buy"
    })
}

/// Nothing was written on the account: no payment and no approval.
async fn nothing_written(app: &TestApp, account: i64) {
    assert_eq!(payments_of(app, account).await, Vec::<Value>::new());
    let approvals = get(
        app,
        &app.admin_token(),
        &format!("/api/v1/approvals?account_id={account}"),
    )
    .await;
    assert_eq!(approvals["data"], json!([]));
}

#[actix_web::test]
async fn amounts_that_are_not_a_positive_whole_number_of_minor_units_are_refused() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let cases = [
        (json!(-1), "range"),
        (json!(0), "range"),
        (json!(12.5), "type"),
        (json!(1_000_000_000_000_001_i64), "range"),
        (json!(10_000_000_000_000_000_000_u64), "type"),
        (json!("100"), "type"),
    ];
    for (amount_minor, code) in cases {
        let amount = json!({"amount_minor": amount_minor, "currency": "EUR"});
        let res = request(&app, &desk.exec.1, body(desk.account, amount)).await;
        let problem = assert_invalid(&res, "amount.amount_minor", code);
        assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    }
    // The largest amount allowed is accepted (and needs a director: it is beyond the budget).
    let amount = json!({"amount_minor": 1_000_000_000_000_000_i64, "currency": "EUR"});
    let other = desk_account(&app).await;
    let res = request(&app, &app.admin_token(), body(other, amount)).await;
    assert_eq!(res.status, 201, "{}", res.text());
    nothing_written(&app, desk.account).await;
}

/// Another budgeted account, for a request that must succeed beside refused ones.
async fn desk_account(app: &TestApp) -> i64 {
    desk(app, None).await.account
}

#[actix_web::test]
async fn an_unknown_currency_or_one_not_the_budgets_is_refused() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let res = request(
        &app,
        &desk.exec.1,
        body(
            desk.account,
            json!({"amount_minor": 100, "currency": "XYZ"}),
        ),
    )
    .await;
    assert_invalid(&res, "amount.currency", "currency");
    let res = request(
        &app,
        &desk.exec.1,
        body(
            desk.account,
            json!({"amount_minor": 100, "currency": "USD"}),
        ),
    )
    .await;
    let problem = assert_invalid(&res, "amount.currency", "currency");
    assert!(problem.to_string().contains("EUR"), "{problem}");
    nothing_written(&app, desk.account).await;
}

#[actix_web::test]
async fn an_account_without_a_budget_takes_no_payments_until_it_has_one() {
    let app = TestApp::spawn().await;
    let client = app.client("Budgetless").await;
    let account = id(&app.account(&client["id"], "No budget").await);
    let amount = json!({"amount_minor": 100, "currency": "EUR"});
    let res = request(&app, &app.admin_token(), body(account, amount)).await;
    let problem = assert_invalid(&res, "account_id", "invalid");
    assert!(
        problem.to_string().contains("set its budget first"),
        "{problem}"
    );
    nothing_written(&app, account).await;
}

#[actix_web::test]
async fn an_account_out_of_scope_reads_as_unknown_and_its_payments_as_missing() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let mine = app
        .payment(&desk.exec.1, desk.account, "outgoing", 100)
        .await;
    let (_, outsider) = app.staff("account_executive").await;
    let amount = json!({"amount_minor": 100, "currency": "EUR"});
    let res = request(&app, &outsider, body(desk.account, amount.clone())).await;
    let problem = assert_invalid(&res, "account_id", "unknown");
    let res = request(&app, &outsider, body(987_654_321, amount)).await;
    let missing = assert_invalid(&res, "account_id", "unknown");
    assert_eq!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .replace(&desk.account.to_string(), "{id}"),
        missing["errors"][0]["message"]
            .as_str()
            .unwrap()
            .replace("987654321", "{id}")
    );
    for path in [
        format!("/api/v1/payments/{}", id(&mine)),
        format!("/api/v1/accounts/{}/budget", desk.account),
    ] {
        let res = app.get(&path).token(&outsider).send().await;
        res.problem(404);
    }
    let res = mark_paid(&app, &desk.director.1, 987_654_321, "INV-1").await;
    res.problem(404);
    assert_eq!(payments_of(&app, desk.account).await.len(), 1);
}

#[actix_web::test]
async fn a_contract_that_is_not_an_active_one_of_the_client_reads_as_unknown() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let mut bad = body(
        desk.account,
        json!({"amount_minor": 100, "currency": "EUR"}),
    );
    bad["contract_id"] = json!(987_654_321);
    let res = request(&app, &desk.exec.1, bad).await;
    assert_invalid(&res, "contract_id", "unknown");
    nothing_written(&app, desk.account).await;
}

#[actix_web::test]
async fn a_description_is_one_line_of_at_most_500_characters() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let amount = json!({"amount_minor": 100, "currency": "EUR"});
    for (description, code) in [
        (json!(""), "length"),
        (json!("   "), "blank"),
        (json!("two\nlines"), "control_character"),
        (json!("x".repeat(501)), "length"),
    ] {
        let mut bad = body(desk.account, amount.clone());
        bad["description"] = description;
        let res = request(&app, &desk.exec.1, bad).await;
        assert_invalid(&res, "description", code);
    }
    nothing_written(&app, desk.account).await;
}

#[actix_web::test]
async fn stages_naming_someone_who_cannot_approve_payments_leave_no_payment_behind() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let mut bad = body(
        desk.account,
        json!({"amount_minor": 100, "currency": "EUR"}),
    );
    // The executive holds neither approvals.decide nor payments.approve.
    bad["stages"] = json!([{"name": "Review", "kind": "internal", "deciders": [desk.exec.0]}]);
    let res = request(&app, &desk.manager.1, bad).await;
    let problem = assert_invalid(&res, "stages[0].deciders", "invalid");
    assert!(
        problem.to_string().contains("approvals.decide"),
        "{problem}"
    );
    nothing_written(&app, desk.account).await;
}
