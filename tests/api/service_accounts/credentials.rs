//! The client secret is shown once, when issued, and stored only as a hash.

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn the_secret_is_shown_once_and_never_again() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/service-accounts")
        .token(&app.admin_token())
        .json(json!({"name": "Accounting sync", "role": "account_manager"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let created = res.json();
    let id = created["id"].as_i64().unwrap();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 43, "256 random bits: {secret}");
    assert!(created["client_id"].as_str().unwrap().starts_with("sa_"));
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/service-accounts/{id}").as_str())
    );

    let token = app.admin_token();
    let one = app
        .get(&format!("/api/v1/service-accounts/{id}"))
        .token(&token)
        .send()
        .await;
    let list = app
        .get("/api/v1/service-accounts")
        .token(&token)
        .send()
        .await;
    let staff = app
        .get(&format!("/api/v1/staff/{id}"))
        .token(&token)
        .send()
        .await;
    let audit = app
        .get(&format!(
            "/api/v1/audit-events?resource_type=service_accounts&resource_id={id}"
        ))
        .token(&token)
        .send()
        .await;
    for res in [&one, &list, &staff, &audit] {
        assert_eq!(res.status, 200, "{}", res.text());
        assert!(
            !res.text().contains(&secret),
            "the secret leaks: {}",
            res.text()
        );
        assert!(!res.text().contains("client_secret"), "{}", res.text());
    }
    assert_eq!(one.json()["name"], "Accounting sync");
    assert!(list.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id));
    assert_eq!(audit.json()["data"][0]["action"], "service_accounts.create");
}

#[actix_web::test]
async fn a_replay_of_the_create_answers_without_the_secret_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let send = || {
        app.post("/api/v1/service-accounts")
            .token(&app.admin_token())
            .header("idempotency-key", "create-integration-1")
            .json(json!({"name": "Replayed", "role": "account_coordinator"}))
            .send()
    };
    let first = send().await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert!(first.json()["client_secret"].is_string());
    let again = send().await;
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let mut expected = first.json();
    expected.as_object_mut().unwrap().remove("client_secret");
    assert_eq!(again.json(), expected);
    let list = app
        .get("/api/v1/service-accounts?q=replayed")
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn staff_lists_show_service_accounts_as_such() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_coordinator").await;
    let token = app.admin_token();
    let staff = app
        .get(&format!("/api/v1/staff/{}", account.id))
        .token(&token)
        .send()
        .await
        .json();
    assert_eq!(staff["kind"], "service");
    assert!(staff["email"].as_str().unwrap().ends_with(".invalid"));
    let admin = app.get("/api/v1/me").token(&token).send().await.json();
    assert_eq!(admin["kind"], "person");

    let services = app
        .get("/api/v1/staff?kind=service")
        .token(&token)
        .send()
        .await
        .json();
    let ids: Vec<i64> = services["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![account.id]);
}

#[actix_web::test]
async fn an_unknown_service_account_is_a_404_and_a_person_is_not_one() {
    let app = TestApp::spawn().await;
    let (person, _) = app.staff("account_executive").await;
    let token = app.admin_token();
    for id in [person, 999_999] {
        let res = app
            .get(&format!("/api/v1/service-accounts/{id}"))
            .token(&token)
            .send()
            .await;
        res.problem(404);
        let res = app
            .post(&format!("/api/v1/service-accounts/{id}/rotate-secret"))
            .token(&token)
            .send()
            .await;
        res.problem(404);
    }
}
