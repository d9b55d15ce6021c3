//! Bad input: each gets a clear problem and leaves no partial write.

use super::*;

/// How many contracts the client has, as the admin sees them.
async fn count(app: &TestApp, desk: &Desk) -> usize {
    let res = app
        .get(&format!("{CONTRACTS}?client_id={}", desk.client))
        .token(&app.admin_token())
        .send()
        .await;
    res.json()["data"].as_array().unwrap().len()
}

#[actix_web::test]
async fn an_end_before_the_start_is_refused() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let res = app
        .post(CONTRACTS)
        .token(&desk.manager.1)
        .json(body(&desk, json!({"end_date": "2025-12-31"})))
        .send()
        .await;
    let problem = assert_invalid(&res, "end_date", "invalid");
    assert!(
        problem.to_string().contains("on or after start_date"),
        "{problem}"
    );
    let res = app
        .post(CONTRACTS)
        .token(&desk.manager.1)
        .json(body(&desk, json!({"end_date": null})))
        .send()
        .await;
    assert_invalid(&res, "end_date", "required");
    assert_eq!(count(&app, &desk).await, 0);

    let created = app.contract(&desk.manager.1, body(&desk, json!({}))).await;
    let res = app
        .patch(&format!("{CONTRACTS}/{}", id(&created)))
        .token(&desk.manager.1)
        .header("If-Match", "\"1\"")
        .json(json!({"start_date": "2027-01-01"}))
        .send()
        .await;
    assert_invalid(&res, "end_date", "invalid");
}

#[actix_web::test]
async fn an_external_ref_is_taken_once() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let token = &desk.manager.1;
    app.contract(token, body(&desk, json!({"external_ref": "SF-1"})))
        .await;
    let res = app
        .post(CONTRACTS)
        .token(token)
        .json(body(&desk, json!({"external_ref": "SF-1"})))
        .send()
        .await;
    let problem = res.problem(409);
    assert_eq!(
        error(&problem, "external_ref")["code"],
        "unique",
        "{problem}"
    );
    assert_eq!(count(&app, &desk).await, 1);
    let other = app
        .contract(token, body(&desk, json!({"external_ref": "SF-2"})))
        .await;
    let res = app
        .patch(&format!("{CONTRACTS}/{}", id(&other)))
        .token(token)
        .header("If-Match", "\"1\"")
        .json(json!({"external_ref": "SF-1"}))
        .send()
        .await;
    res.problem(409);
}

#[actix_web::test]
async fn an_unknown_or_unreachable_client_or_account_is_unknown() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let elsewhere = desk_elsewhere(&app).await;
    let token = &desk.manager.1;
    for (changes, field) in [
        (json!({"client_id": 987_654_321}), "client_id"),
        (
            json!({"client_id": elsewhere.0, "account_id": null}),
            "client_id",
        ),
        (json!({"account_id": elsewhere.1}), "account_id"),
        (json!({"account_id": 987_654_321}), "account_id"),
    ] {
        let res = app
            .post(CONTRACTS)
            .token(token)
            .json(body(&desk, changes))
            .send()
            .await;
        assert_invalid(&res, field, "unknown");
    }
    assert_eq!(count(&app, &desk).await, 0);
}

/// A client and account nobody on the desk is assigned to.
async fn desk_elsewhere(app: &TestApp) -> (i64, i64) {
    let client = app
        .client(&format!("Elsewhere {}", uuid::Uuid::new_v4().simple()))
        .await;
    let account = app.account(&client["id"], "Other").await;
    (id(&client), id(&account))
}

#[actix_web::test]
async fn a_contract_out_of_scope_reads_as_missing() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let outsider = app.staff("account_manager").await;
    let created = app.contract(&desk.manager.1, body(&desk, json!({}))).await;
    let path = format!("{CONTRACTS}/{}", id(&created));
    let missing = app
        .get(&format!("{CONTRACTS}/987654321"))
        .token(&outsider.1)
        .send()
        .await;
    let hidden = app.get(&path).token(&outsider.1).send().await;
    assert_eq!(hidden.status, 404);
    assert_eq!(
        hidden.problem(404)["detail"]
            .as_str()
            .unwrap()
            .replace(&id(&created).to_string(), "N"),
        missing.problem(404)["detail"]
            .as_str()
            .unwrap()
            .replace("987654321", "N"),
    );
    for verb in ["submit", "renew"] {
        let res = app
            .post(&format!("{path}/{verb}"))
            .token(&outsider.1)
            .send()
            .await;
        assert_eq!(res.status, 404, "{verb}: {}", res.text());
    }
    // A client-wide contract is reached through any of the client's accounts.
    let wide = app
        .contract(&app.admin_token(), body(&desk, json!({"account_id": null})))
        .await;
    let res = app
        .get(&format!("{CONTRACTS}/{}", id(&wide)))
        .token(&desk.manager.1)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .get(&format!("{CONTRACTS}/{}", id(&wide)))
        .token(&outsider.1)
        .send()
        .await;
    assert_eq!(res.status, 404);
}
