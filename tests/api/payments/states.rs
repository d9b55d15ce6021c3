//! Mark-paid and cancel: each from its own states only (409 naming the state
//! otherwise), leaving nothing behind when refused.

use super::*;

#[actix_web::test]
async fn a_payment_is_never_paid_before_its_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 1_000)
        .await;
    let res = mark_paid(&app, &desk.manager.1, id(&requested), "INV-1").await;
    let problem = res.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("is pending_approval"),
        "{problem}"
    );
    let after = payment(&app, id(&requested)).await;
    assert_eq!(after["status"], "pending_approval");
    assert_eq!(after["external_ref"], Value::Null);
    assert_eq!(after["version"], 1);
}

#[actix_web::test]
async fn an_approved_payment_is_marked_paid_once() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let approved = approved(&app, &desk, "outgoing", 1_000).await;
    assert_eq!(approved["allowed_actions"], json!(["mark_paid", "cancel"]));
    let res = mark_paid(&app, &desk.manager.1, id(&approved), "INV-1").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let paid = res.json();
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paid_at"], "2026-01-15T10:00:00Z");
    assert_eq!(paid["external_ref"], "INV-1");
    assert_eq!(paid["allowed_actions"], json!([]));
    let res = mark_paid(&app, &desk.manager.1, id(&approved), "INV-2").await;
    let problem = res.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("is paid"),
        "{problem}"
    );
    assert_eq!(payment(&app, id(&approved)).await["external_ref"], "INV-1");
    let trail = audit_trail(&app, "payments", &approved["id"].to_string()).await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["payments.request", "payments.approve", "payments.mark_paid"]
    );
}

#[actix_web::test]
async fn an_external_ref_in_use_is_a_conflict_on_the_field() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let first = approved(&app, &desk, "outgoing", 1_000).await;
    let second = approved(&app, &desk, "outgoing", 2_000).await;
    let res = mark_paid(&app, &desk.manager.1, id(&first), "INV-7").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = mark_paid(&app, &desk.manager.1, id(&second), "INV-7").await;
    let problem = res.problem(409);
    assert_eq!(
        error(&problem, "external_ref")["code"],
        "unique",
        "{problem}"
    );
    let after = payment(&app, id(&second)).await;
    assert_eq!(after["status"], "approved");
    assert_eq!(after["external_ref"], Value::Null);
    // A request naming it meets the same index.
    let res = request(
        &app,
        &desk.exec.1,
        json!({
            "account_id": desk.account, "direction": "incoming",
            "amount": {"amount_minor": 10, "currency": "EUR"}, "description": "Fee",
            "external_ref": "INV-7"
        }),
    )
    .await;
    let problem = res.problem(409);
    assert_eq!(
        error(&problem, "external_ref")["code"],
        "unique",
        "{problem}"
    );
    assert_eq!(payments_of(&app, desk.account).await.len(), 2);
}

#[actix_web::test]
async fn paid_at_in_the_future_or_malformed_is_refused() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let approved = approved(&app, &desk, "outgoing", 1_000).await;
    let path = format!("/api/v1/payments/{}/mark-paid", id(&approved));
    for (paid_at, code) in [("2999-01-01T00:00:00Z", "range"), ("yesterday", "type")] {
        let res = app
            .post(&path)
            .token(&desk.manager.1)
            .json(json!({"paid_at": paid_at, "external_ref": "INV-9"}))
            .send()
            .await;
        assert_invalid(&res, "paid_at", code);
    }
    assert_eq!(payment(&app, id(&approved)).await["status"], "approved");
}

#[actix_web::test]
async fn marking_paid_needs_payments_approve() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let approved = approved(&app, &desk, "outgoing", 1_000).await;
    let res = mark_paid(&app, &desk.exec.1, id(&approved), "INV-1").await;
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
async fn cancelling_a_pending_payment_cancels_its_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 1_000)
        .await;
    let path = format!("/api/v1/payments/{}/cancel", id(&requested));
    let res = app
        .post(&path)
        .token(&desk.exec.1)
        .json(json!({"reason": "Paid by the client directly"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let cancelled = res.json();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "Paid by the client directly");
    let approval = approval_of(&app, &requested).await;
    assert_eq!(approval["status"], "cancelled");
    assert_eq!(approval["cancel_reason"], "Paid by the client directly");
    // Cancelled is final.
    let res = app.post(&path).token(&desk.exec.1).send().await;
    let problem = res.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("is cancelled"),
        "{problem}"
    );
}

#[actix_web::test]
async fn an_approved_payment_can_be_cancelled_but_a_paid_one_cannot() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let approved_one = approved(&app, &desk, "outgoing", 1_000).await;
    let res = app
        .post(&format!("/api/v1/payments/{}/cancel", id(&approved_one)))
        .token(&desk.exec.1)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["status"], "cancelled");
    assert_eq!(res.json()["cancel_reason"], Value::Null);

    let paid = approved(&app, &desk, "outgoing", 1_000).await;
    let res = mark_paid(&app, &desk.manager.1, id(&paid), "INV-3").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .post(&format!("/api/v1/payments/{}/cancel", id(&paid)))
        .token(&desk.exec.1)
        .send()
        .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("is paid"),
        "{problem}"
    );
    assert_eq!(payment(&app, id(&paid)).await["status"], "paid");
}

#[actix_web::test]
async fn a_bad_external_ref_or_reason_is_refused_and_nothing_moves() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let approved = approved(&app, &desk, "outgoing", 1_000).await;
    let path = format!("/api/v1/payments/{}/mark-paid", id(&approved));
    for (external_ref, code) in [
        (json!(""), "length"),
        (json!("INV\n1"), "control_character"),
        (json!("x".repeat(201)), "length"),
        (json!(null), "type"),
    ] {
        let res = app
            .post(&path)
            .token(&desk.manager.1)
            .json(json!({"paid_at": "2026-01-15T10:00:00Z", "external_ref": external_ref}))
            .send()
            .await;
        assert_invalid(&res, "external_ref", code);
    }
    let res = app
        .post(&format!("/api/v1/payments/{}/cancel", id(&approved)))
        .token(&desk.exec.1)
        .json(json!({"reason": "x".repeat(2001)}))
        .send()
        .await;
    assert_invalid(&res, "reason", "length");
    let after = payment(&app, id(&approved)).await;
    assert_eq!(after["status"], "approved");
    assert_eq!(after["version"], approved["version"]);
}
