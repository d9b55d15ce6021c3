//! Of N concurrent attempts to mark one payment paid, exactly one wins, on either
//! database; the others are refused with 409 and leave nothing behind.

use futures_util::future::join_all;

use super::*;

#[actix_web::test]
async fn of_fifty_concurrent_mark_paid_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let approved = approved(&app, &desk, "outgoing", 1_000).await;
    let admin = app.admin_token();
    let references: Vec<String> = (0..50).map(|i| format!("INV-{i}")).collect();
    let responses = join_all(references.iter().enumerate().map(|(i, reference)| {
        let token = if i % 2 == 0 { &admin } else { &desk.manager.1 };
        mark_paid(&app, token, id(&approved), reference)
    }))
    .await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    let winner = responses.iter().find(|r| r.status == 200).unwrap().json();
    for res in responses.iter().filter(|r| r.status != 200) {
        let problem = res.problem(409);
        assert!(
            problem["detail"].as_str().unwrap().contains("is paid"),
            "{problem}"
        );
    }
    let after = payment(&app, id(&approved)).await;
    assert_eq!(after["external_ref"], winner["external_ref"]);
    assert_eq!(after["version"], 3);
    let trail = audit_trail(&app, "payments", &approved["id"].to_string()).await;
    let marked = trail
        .iter()
        .filter(|e| e["action"] == "payments.mark_paid")
        .count();
    assert_eq!(marked, 1);
}

#[actix_web::test]
async fn of_fifty_concurrent_cancels_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let requested = app
        .payment(&desk.exec.1, desk.account, "outgoing", 1_000)
        .await;
    let path = format!("/api/v1/payments/{}/cancel", id(&requested));
    let responses = join_all((0..50).map(|_| app.post(&path).token(&desk.exec.1).send())).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    for res in responses.iter().filter(|r| r.status != 200) {
        res.problem(409);
    }
    assert_eq!(approval_of(&app, &requested).await["status"], "cancelled");
}

#[actix_web::test]
async fn an_external_ref_taken_by_a_concurrent_uncommitted_write_is_a_conflict() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let insert = format!(
        "INSERT INTO payments (account_id, client_id, direction, amount_minor, currency, \
         description, status, requested_by, created_at, updated_at, external_ref) \
         VALUES ({}, {}, 'incoming', 1, 'EUR', 'Elsewhere', 'pending_approval', 1, \
         now(), now(), 'INV-RACE')",
        desk.account, desk.client
    );
    let body = json!({
        "account_id": desk.account, "direction": "incoming",
        "amount": {"amount_minor": 100, "currency": "EUR"}, "description": "Fee",
        "external_ref": "INV-RACE"
    });
    // PostgreSQL only: SQLite's writers queue one at a time.
    let Some(res) = app
        .racing_an_uncommitted_insert(&insert, request(&app, &desk.exec.1, body))
        .await
    else {
        return;
    };
    let problem = res.problem(409);
    assert_eq!(
        error(&problem, "external_ref")["code"],
        "unique",
        "{problem}"
    );
    // Only the other write's payment is there; the request left no approval behind.
    assert_eq!(payments_of(&app, desk.account).await.len(), 1);
    let approvals = get(
        &app,
        &app.admin_token(),
        &format!("/api/v1/approvals?account_id={}", desk.account),
    )
    .await;
    assert_eq!(approvals["data"], json!([]));
}
