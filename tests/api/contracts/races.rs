//! Of N concurrent submits, renewals or terminations of one contract exactly one wins,
//! on either database; the others get 409 and leave nothing behind.

use futures_util::future::join_all;

use super::*;

fn wins(responses: &[Resp], status: u16) -> usize {
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    for res in responses.iter().filter(|r| r.status != status) {
        res.problem(409);
    }
    statuses.iter().filter(|s| **s == status).count()
}

#[actix_web::test]
async fn of_twenty_concurrent_submits_exactly_one_opens_an_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let token = &desk.manager.1;
    let draft = app.contract(token, body(&desk, json!({}))).await;
    let path = format!("{CONTRACTS}/{}/submit", id(&draft));
    let responses = join_all((0..20).map(|_| app.post(&path).token(token).send())).await;
    assert_eq!(wins(&responses, 200), 1);
    let trail = audit_trail(&app, "contracts", &id(&draft).to_string()).await;
    assert_eq!(actions(&trail), ["contracts.create", "contracts.submit"]);
}

#[actix_web::test]
async fn of_twenty_concurrent_renewals_exactly_one_makes_a_successor() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let token = &desk.manager.1;
    let first = app.contract(token, body(&desk, json!({}))).await;
    app.activate_contract(token, id(&first)).await;
    let path = format!("{CONTRACTS}/{}/renew", id(&first));
    let responses = join_all((0..20).map(|_| app.post(&path).token(token).send())).await;
    assert_eq!(wins(&responses, 201), 1);
    let page = app
        .get(&format!("{CONTRACTS}?renewal_of={}", id(&first)))
        .token(token)
        .send()
        .await
        .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn of_twenty_concurrent_terminations_exactly_one_is_recorded() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let token = &desk.manager.1;
    let first = app.contract(token, body(&desk, json!({}))).await;
    app.activate_contract(token, id(&first)).await;
    let path = format!("{CONTRACTS}/{}/terminate", id(&first));
    let stop = json!({"terminated_on": "2026-06-30", "reason": "Moved in-house."});
    let responses =
        join_all((0..20).map(|_| app.post(&path).token(token).json(stop.clone()).send())).await;
    assert_eq!(wins(&responses, 200), 1);
    let trail = audit_trail(&app, "contracts", &id(&first).to_string()).await;
    assert_eq!(actions(&trail).last(), Some(&"contracts.terminate"));
    assert_eq!(
        actions(&trail)
            .iter()
            .filter(|a| **a == "contracts.terminate")
            .count(),
        1
    );
}
