//! Requesting a payment opens its approval at once, with a director stage when the
//! amount is above the account's threshold or, outgoing, beyond its remaining budget.

use super::*;

fn internal_only() -> Vec<(String, bool)> {
    vec![("Internal review".into(), false)]
}

fn with_director() -> Vec<(String, bool)> {
    vec![
        ("Internal review".into(), false),
        ("Director approval".into(), true),
    ]
}

#[actix_web::test]
async fn a_request_opens_the_payment_policy_approval_at_once() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, Some(500_000)).await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 250_000)
        .await;
    assert_eq!(requested["status"], "pending_approval");
    assert_eq!(requested["requested_by"], desk.exec.0);
    assert_eq!(requested["client_id"], desk.client);
    assert_eq!(
        requested["amount"],
        json!({"amount_minor": 250000, "currency": "EUR"})
    );
    assert_eq!(requested["version"], 1);
    assert_eq!(requested["allowed_actions"], json!(["cancel"]));
    let approval = approval_of(&app, &requested).await;
    assert_eq!(approval["subject_type"], "payment");
    assert_eq!(approval["subject_id"], requested["id"]);
    assert_eq!(approval["subject_version"], 1);
    assert_eq!(approval["requested_by"], desk.exec.0);
    assert_eq!(approval["subject_author_id"], desk.exec.0);
    assert_eq!(approval["status"], "pending");
    assert_eq!(stages(&approval), internal_only());
    let trail = audit_trail(&app, "payments", &requested["id"].to_string()).await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["payments.request"]);
}

#[actix_web::test]
async fn an_amount_above_the_threshold_adds_a_director_stage() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, Some(500_000)).await;
    let at_threshold = app
        .payment(&desk.exec.1, desk.account, "incoming", 500_000)
        .await;
    assert_eq!(
        stages(&approval_of(&app, &at_threshold).await),
        internal_only()
    );
    let above = app
        .payment(&desk.exec.1, desk.account, "incoming", 500_001)
        .await;
    assert_eq!(stages(&approval_of(&app, &above).await), with_director());
}

#[actix_web::test]
async fn an_outgoing_amount_beyond_the_remaining_budget_adds_a_director_stage() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    // 60,000 of the 100,000 committed: 40,000 remain.
    approved(&app, &desk, "outgoing", 6_000_000).await;
    let within = app
        .payment(&desk.exec.1, desk.account, "outgoing", 4_000_000)
        .await;
    assert_eq!(stages(&approval_of(&app, &within).await), internal_only());
    let beyond = app
        .payment(&desk.exec.1, desk.account, "outgoing", 4_000_001)
        .await;
    assert_eq!(stages(&approval_of(&app, &beyond).await), with_director());
    // Money coming in never takes the budget below zero.
    let incoming = app
        .payment(&desk.exec.1, desk.account, "incoming", 9_000_000)
        .await;
    assert_eq!(stages(&approval_of(&app, &incoming).await), internal_only());
}

#[actix_web::test]
async fn a_requests_own_stages_cannot_leave_the_director_stage_out() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, Some(100)).await;
    let body = json!({
        "account_id": desk.account, "direction": "outgoing",
        "amount": {"amount_minor": 200, "currency": "EUR"}, "description": "Print run",
        "stages": [{"name": "Quick look", "kind": "internal"}]
    });
    let res = request(&app, &desk.exec.1, body.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let approval = approval_of(&app, &res.json()).await;
    assert_eq!(
        stages(&approval),
        [
            ("Quick look".to_owned(), false),
            ("Director approval".to_owned(), true)
        ]
    );
    // Nor can they bring a director stage of their own, naming a friendly decider.
    let mut own = body;
    own["stages"] = json!([
        {"name": "Quick look", "kind": "internal"},
        {"name": "Director", "kind": "internal", "director": true, "deciders": [desk.manager.0]}
    ]);
    let res = request(&app, &desk.exec.1, own).await;
    assert_invalid(&res, "stages[1].director", "invalid");
    assert_eq!(payments_of(&app, desk.account).await.len(), 1);
}

#[actix_web::test]
async fn a_policy_director_stage_is_the_one_a_payment_gets() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, Some(100)).await;
    let res = app
        .put("/api/v1/approval-policies/payment")
        .token(&app.admin_token())
        .json(json!({"stages": [
            {"name": "Manager", "kind": "internal"},
            {"name": "Finance director", "kind": "internal", "director": true,
             "deciders": [desk.director.0]}
        ]}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let small = app
        .payment(&desk.exec.1, desk.account, "outgoing", 100)
        .await;
    assert_eq!(
        stages(&approval_of(&app, &small).await),
        [("Manager".to_owned(), false)]
    );
    let large = app
        .payment(&desk.exec.1, desk.account, "outgoing", 101)
        .await;
    let approval = approval_of(&app, &large).await;
    assert_eq!(
        stages(&approval),
        [
            ("Manager".to_owned(), false),
            ("Finance director".to_owned(), true)
        ]
    );
    assert_eq!(approval["stages"][1]["deciders"], json!([desk.director.0]));
}

#[actix_web::test]
async fn a_threshold_in_another_currency_cannot_be_compared_so_a_director_decides() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let res = app
        .patch(&format!("/api/v1/accounts/{}", desk.account))
        .token(&app.admin_token())
        .json(json!({"payment_approval_threshold": {"amount_minor": 1_000_000, "currency": "USD"}}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let small = app.payment(&desk.exec.1, desk.account, "incoming", 1).await;
    assert_eq!(stages(&approval_of(&app, &small).await), with_director());
}
