//! Deciding a payment's approval: a manager approves (never their own request), a
//! director stage is a director's, and the payment moves with its approval.

use super::*;

#[actix_web::test]
async fn a_manager_approves_and_the_payment_is_approved_by_them() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let approved = approved(&app, &desk, "outgoing", 300_000).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_by"], desk.manager.0);
    let trail = audit_trail(&app, "payments", &approved["id"].to_string()).await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["payments.request", "payments.approve"]);
}

#[actix_web::test]
async fn nobody_approves_a_payment_they_requested() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let requested = app
        .payment(&desk.manager.1, desk.account, "outgoing", 300_000)
        .await;
    let approval = requested["approval_id"].as_i64().unwrap();
    let res = decide(&app, &desk.manager.1, approval, "approved").await;
    let problem = res.problem(403);
    assert!(
        problem["detail"].as_str().unwrap().contains("four-eyes"),
        "{problem}"
    );
    assert_eq!(
        payment(&app, id(&requested)).await["status"],
        "pending_approval"
    );
    let view = get(
        &app,
        &desk.manager.1,
        &format!("/api/v1/approvals/{approval}"),
    )
    .await;
    assert_eq!(view["allowed_actions"], json!(["cancel"]));
}

#[actix_web::test]
async fn deciding_a_payment_needs_payments_approve() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    // approvals.decide without payments.approve.
    app.role(
        "decider_only",
        json!([{"permission": "approvals.decide", "scope": "all"},
               {"permission": "approvals.request", "scope": "all"}]),
    )
    .await;
    let (_, decider) = app.staff("decider_only").await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 300_000)
        .await;
    let res = decide(
        &app,
        &decider,
        requested["approval_id"].as_i64().unwrap(),
        "approved",
    )
    .await;
    let problem = res.problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("payments.approve"),
        "{problem}"
    );
}

#[actix_web::test]
async fn a_director_stage_is_decided_by_a_director_not_a_manager() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, Some(500_000)).await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 900_000)
        .await;
    let approval = requested["approval_id"].as_i64().unwrap();
    let res = decide(&app, &desk.manager.1, approval, "approved").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        payment(&app, id(&requested)).await["status"],
        "pending_approval"
    );

    // The director stage is in the director's queue, not the manager's.
    let queued = |page: &Value| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == approval)
    };
    assert!(!queued(
        &get(&app, &desk.manager.1, "/api/v1/me/approvals").await
    ));
    assert!(queued(
        &get(&app, &desk.director.1, "/api/v1/me/approvals").await
    ));

    let res = decide(&app, &desk.manager.1, approval, "approved").await;
    let problem = res.problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("director stage"),
        "{problem}"
    );
    let res = decide(&app, &desk.director.1, approval, "approved").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let approved = payment(&app, id(&requested)).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_by"], desk.director.0);
}

#[actix_web::test]
async fn a_rejection_or_a_request_for_changes_rejects_the_payment() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    for decision in ["rejected", "changes_requested"] {
        let requested = app
            .payment(&desk.exec.1, desk.account, "outgoing", 1_000)
            .await;
        let approval = requested["approval_id"].as_i64().unwrap();
        let res = decide(&app, &desk.manager.1, approval, decision).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let after = payment(&app, id(&requested)).await;
        assert_eq!(after["status"], "rejected", "{decision}");
        assert_eq!(after["approved_by"], Value::Null);
        assert_eq!(after["allowed_actions"], json!([]));
    }
}

#[actix_web::test]
async fn cancelling_the_approval_cancels_the_payment() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 1_000)
        .await;
    let approval = requested["approval_id"].as_i64().unwrap();
    let res = app
        .post(&format!("/api/v1/approvals/{approval}/cancel"))
        .token(&desk.exec.1)
        .json(json!({"reason": "Booked twice"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let after = payment(&app, id(&requested)).await;
    assert_eq!(after["status"], "cancelled");
    assert_eq!(after["cancel_reason"], "Booked twice");
}

#[actix_web::test]
async fn a_payments_approval_is_not_opened_through_the_approvals_resource() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 1_000)
        .await;
    let res = app
        .post("/api/v1/approvals")
        .token(&desk.exec.1)
        .json(json!({"subject_type": "payment", "subject_id": requested["id"]}))
        .send()
        .await;
    let problem = assert_invalid(&res, "subject_type", "invalid");
    assert!(
        problem.to_string().contains("POST /api/v1/payments"),
        "{problem}"
    );
}
