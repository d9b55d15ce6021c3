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
