//! `GET /accounts/{id}/budget`: exact sums of the account's payments by state and
//! direction, and what remains.

use super::*;

fn eur(amount_minor: i64) -> Value {
    json!({"amount_minor": amount_minor, "currency": "EUR"})
}

async fn budget(app: &TestApp, token: &str, account: i64) -> Value {
    get(app, token, &format!("/api/v1/accounts/{account}/budget")).await
}

async fn paid(app: &TestApp, desk: &Desk, direction: &str, amount: i64, reference: &str) {
    let approved = approved(app, desk, direction, amount).await;
    let res = mark_paid(app, &desk.manager.1, id(&approved), reference).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn payments_in_every_status_and_direction_give_exact_figures() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let exec = &desk.exec.1;
    app.payment(exec, desk.account, "outgoing", 100).await; // pending
    app.payment(exec, desk.account, "incoming", 6).await; // pending, incoming: not counted
    approved(&app, &desk, "outgoing", 2_000).await; // committed
    approved(&app, &desk, "incoming", 5).await; // approved incoming: not counted
    paid(&app, &desk, "outgoing", 30_000, "OUT-1").await; // spent
    paid(&app, &desk, "incoming", 400_000, "IN-1").await; // received
    let rejected = app.payment(exec, desk.account, "outgoing", 7_000_000).await;
    let approval = rejected["approval_id"].as_i64().unwrap();
    assert_eq!(
        decide(&app, &desk.manager.1, approval, "rejected")
            .await
            .status,
        200
    );
    let cancelled = approved(&app, &desk, "outgoing", 8_000).await;
    let res = app
        .post(&format!("/api/v1/payments/{}/cancel", id(&cancelled)))
        .token(exec)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    let figures = budget(&app, exec, desk.account).await;
    assert_eq!(figures["account_id"], desk.account);
    assert_eq!(figures["budget"], eur(BUDGET));
    assert_eq!(figures["pending"], eur(100));
    assert_eq!(figures["committed"], eur(2_000));
    assert_eq!(figures["spent"], eur(30_000));
    assert_eq!(figures["received"], eur(400_000));
    assert_eq!(figures["remaining"], eur(BUDGET - 2_000 - 30_000));
    assert!(figures["as_of"].as_str().unwrap().ends_with('Z'));
}

#[actix_web::test]
async fn remaining_goes_below_zero_only_through_a_directors_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let over = app
        .payment(&desk.exec.1, desk.account, "outgoing", BUDGET + 1)
        .await;
    let approval = over["approval_id"].as_i64().unwrap();
    assert_eq!(
        decide(&app, &desk.manager.1, approval, "approved")
            .await
            .status,
        200
    );
    let figures = budget(&app, &desk.exec.1, desk.account).await;
    assert_eq!(figures["pending"], eur(BUDGET + 1));
    assert_eq!(figures["remaining"], eur(BUDGET));
    assert_eq!(
        decide(&app, &desk.director.1, approval, "approved")
            .await
            .status,
        200
    );
    let figures = budget(&app, &desk.exec.1, desk.account).await;
    assert_eq!(figures["pending"], eur(0));
    assert_eq!(figures["committed"], eur(BUDGET + 1));
    assert_eq!(figures["remaining"], eur(-1));
}

#[actix_web::test]
async fn sums_beyond_what_a_float_holds_stay_exact() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let budget_minor = 9_000_000_000_000_000_001_i64;
    app.set_budget(desk.account, budget_minor, None).await;
    let admin = app.admin_token();
    for amount in [1_000_000_000_000_000_i64, 999_999_999_999_999] {
        let requested = app
            .payment(&desk.exec.1, desk.account, "outgoing", amount)
            .await;
        let approval = requested["approval_id"].as_i64().unwrap();
        assert_eq!(decide(&app, &admin, approval, "approved").await.status, 200);
    }
    let figures = budget(&app, &desk.exec.1, desk.account).await;
    assert_eq!(figures["committed"], eur(1_999_999_999_999_999));
    assert_eq!(figures["remaining"], eur(8_998_000_000_000_000_002));
}

#[actix_web::test]
async fn an_account_without_a_budget_has_no_figures() {
    let app = TestApp::spawn().await;
    let client = app.client("Budgetless").await;
    let account = id(&app.account(&client["id"], "No budget").await);
    let figures = budget(&app, &app.admin_token(), account).await;
    for figure in [
        "budget",
        "pending",
        "committed",
        "spent",
        "received",
        "remaining",
    ] {
        assert_eq!(figures[figure], Value::Null, "{figure}: {figures}");
    }
    assert_eq!(figures["account_id"], account);
}
