//! Nobody gives a service account a role beyond their own, nor takes over one whose role
//! is beyond theirs (changing it, or taking its secret).

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn a_role_beyond_the_givers_is_a_403_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    // A director holds staff.write but not roles.write, which admin holds.
    let (_, director) = app.staff("account_director").await;
    let res = app
        .post("/api/v1/service-accounts")
        .token(&director)
        .json(json!({"name": "Too strong", "role": "admin"}))
        .send()
        .await;
    let problem = res.problem(403);
    assert!(problem["detail"].as_str().unwrap().contains("roles.write"));
    let list = app
        .get("/api/v1/service-accounts?q=too%20strong")
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 0);

    let res = app
        .post("/api/v1/service-accounts")
        .token(&director)
        .json(json!({"name": "Within reach", "role": "account_manager"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    let res = app
        .patch(&format!("/api/v1/service-accounts/{id}"))
        .token(&director)
        .json(json!({"role": "admin"}))
        .send()
        .await;
    res.problem(403);
}

#[actix_web::test]
async fn nobody_rotates_or_deactivates_a_service_account_beyond_their_role() {
    let app = TestApp::spawn().await;
    let admin_service = app.service_account("admin").await;
    let (_, director) = app.staff("account_director").await;
    let rotate = app
        .post(&format!(
            "/api/v1/service-accounts/{}/rotate-secret",
            admin_service.id
        ))
        .token(&director)
        .send()
        .await;
    rotate.problem(403);
    let deactivate = app
        .patch(&format!("/api/v1/service-accounts/{}", admin_service.id))
        .token(&director)
        .json(json!({"active": false}))
        .send()
        .await;
    deactivate.problem(403);
}

#[actix_web::test]
async fn without_staff_write_nothing_changes_and_without_a_token_nothing_is_read() {
    let app = TestApp::spawn().await;
    let (_, manager) = app.staff("account_manager").await;
    let res = app
        .post("/api/v1/service-accounts")
        .token(&manager)
        .json(json!({"name": "Nope", "role": "account_coordinator"}))
        .send()
        .await;
    res.problem(403);
    let res = app
        .get("/api/v1/service-accounts")
        .token(&manager)
        .send()
        .await;
    assert_eq!(res.status, 200, "staff.read lists them: {}", res.text());
    app.get("/api/v1/service-accounts")
        .send()
        .await
        .problem(401);
}
