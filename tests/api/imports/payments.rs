//! Payments: each line a request that opens its approval, the account named by id or by
//! `external_ref` within the caller's reach; a payment already there is never edited.

use serde_json::json;

use super::*;

/// An account with a budget and an `external_ref`, as admin.
async fn budgeted_account(app: &TestApp, external_ref: &str) -> i64 {
    let client = app
        .client(&format!("Client {}", uuid::Uuid::new_v4().simple()))
        .await;
    let account = app.account(&client["id"], "Crunch").await;
    let id = account["id"].as_i64().expect("an id");
    app.set_budget(id, 10_000_000, None).await;
    let res = app
        .patch(&format!("/api/v1/accounts/{id}"))
        .token(&app.admin_token())
        .json(json!({"external_ref": external_ref}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    id
}

async fn payments(app: &TestApp) -> Vec<Value> {
    let res = app
        .get("/api/v1/payments?sort=created_at")
        .token(&app.admin_token())
        .send()
        .await;
    res.json()["data"].as_array().expect("data").clone()
}

#[actix_web::test]
async fn payments_are_requested_from_csv_and_a_retry_requests_nothing_twice() {
    let app = TestApp::spawn().await;
    let account = budgeted_account(&app, "ACC-7").await;
    let body = format!(
        "account_id,account_external_ref,direction,amount.amount_minor,amount.currency,description,external_ref\n\
         {account},,outgoing,125000,EUR,Media buy,INV-1\n\
         ,ACC-7,incoming,900000,EUR,Retainer fee,INV-2\n"
    );
    let res = import(&app, &app.admin_token(), "payments", CSV, &body).await;
    assert_eq!(counts(&res), (2, 0, 0));
    let all = payments(&app).await;
    assert_eq!(all.len(), 2);
    for payment in &all {
        assert_eq!(payment["account_id"], account);
        assert_eq!(payment["status"], "pending_approval");
        assert!(payment["approval_id"].as_i64().is_some(), "{payment}");
    }
    assert_eq!(
        all[1]["amount"],
        json!({"amount_minor": 900000, "currency": "EUR"})
    );

    // The same file again: both lines name payments already there, as they are.
    let res = import(&app, &app.admin_token(), "payments", CSV, &body).await;
    assert_eq!(counts(&res), (0, 0, 2));
    assert_eq!(payments(&app).await.len(), 2);

    // Their export, sent back as it is, is unchanged too.
    let export = app
        .get("/api/v1/payments")
        .token(&app.admin_token())
        .header("Accept", "text/csv")
        .send()
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let res = import(&app, &app.admin_token(), "payments", CSV, &export.text()).await;
    assert_eq!(counts(&res), (0, 0, 2));

    // A payment is not edited: another amount under its external_ref is an error line,
    // and the new line beside it is not requested either.
    let changed = format!(
        "account_id,direction,amount.amount_minor,amount.currency,description,external_ref\n\
         {account},outgoing,125001,EUR,Media buy,INV-1\n\
         {account},outgoing,5000,EUR,Print run,INV-3\n"
    );
    let res = import(&app, &app.admin_token(), "payments", CSV, &changed).await;
    assert_eq!(
        line_errors(&res),
        vec![(2, "amount".to_owned(), "invalid".to_owned())]
    );
    assert_eq!(payments(&app).await.len(), 2);
}

#[actix_web::test]
async fn an_account_out_of_reach_is_an_error_line_and_nothing_is_requested() {
    let app = TestApp::spawn().await;
    let mine = budgeted_account(&app, "ACC-MINE").await;
    let other = budgeted_account(&app, "ACC-OTHER").await;
    let (exec_id, exec) = app.staff("account_executive").await;
    app.assign(&json!(mine), exec_id).await;
    let body = format!(
        "{{\"account_id\": {mine}, \"direction\": \"outgoing\", \"amount\": {{\"amount_minor\": 100, \"currency\": \"EUR\"}}, \"description\": \"Fine\"}}\n\
         {{\"account_id\": {other}, \"direction\": \"outgoing\", \"amount\": {{\"amount_minor\": 100, \"currency\": \"EUR\"}}, \"description\": \"Not mine\"}}\n\
         {{\"account_external_ref\": \"ACC-OTHER\", \"direction\": \"outgoing\", \"amount\": {{\"amount_minor\": 100, \"currency\": \"EUR\"}}, \"description\": \"Not mine either\"}}\n"
    );
    let res = import(&app, &exec, "payments", NDJSON, &body).await;
    assert_eq!(
        line_errors(&res),
        vec![
            (2, "account_id".to_owned(), "unknown".to_owned()),
            (3, "account_external_ref".to_owned(), "unknown".to_owned()),
        ]
    );
    // Out of reach reads exactly as missing, as for `POST /payments`.
    let problem = res.json();
    assert_eq!(
        problem["errors"][0]["message"],
        format!("there is no account {other}")
    );
    assert!(payments(&app).await.is_empty());
}
