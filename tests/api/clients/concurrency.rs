//! Concurrency.

use super::*;

#[actix_web::test]
async fn concurrent_patches_with_one_etag_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let url = client_url(&client["id"]);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.patch(&url)
            .token(&token)
            .header("if-match", "\"1\"")
            .json(json!({"industry": format!("Industry {i}")}))
            .send()
    }))
    .await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412]);
    for res in responses.iter().filter(|r| r.status == 412) {
        res.problem(412);
    }
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "one create, one update: {events:?}");
}

#[actix_web::test]
async fn concurrent_patches_without_if_match_all_apply() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let url = client_url(&client["id"]);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.patch(&url)
            .token(&token)
            .json(json!({"industry": format!("Industry {i}")}))
            .send()
    }))
    .await;
    for res in &responses {
        assert_eq!(res.status, 200, "{}", res.text());
    }
    let stored = app.get(&url).token(&token).send().await.json();
    assert_eq!(stored["version"], 7);
}

#[actix_web::test]
async fn concurrent_creates_of_one_name_make_one_client() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.post(CLIENTS)
            .token(&token)
            .json(json!({"name": if i % 2 == 0 { "Acme" } else { "ACME" }}))
            .send()
    }))
    .await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1);
    for res in responses.iter().filter(|r| r.status != 201) {
        res.problem(409);
    }
    assert_eq!(
        list(&app, "").await.json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn concurrent_creates_of_one_name_report_the_name_field() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    // Several rounds, as a losing create only rarely races past the name check.
    for round in 0..5 {
        let responses = futures_util::future::join_all((0..6).map(|_| {
            app.post(CLIENTS)
                .token(&token)
                .json(json!({"name": format!("Acme {round}")}))
                .send()
        }))
        .await;
        for res in responses.iter().filter(|r| r.status != 201) {
            let problem = res.problem(409);
            assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
        }
    }
}
