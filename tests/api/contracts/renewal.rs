//! Renewing a contract: the successor's dates and terms, its approval, the predecessor
//! superseded in the same transaction, and the states a renewal cannot start from.

use super::*;

#[actix_web::test]
async fn a_renewal_approved_supersedes_its_predecessor() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let first = app.contract(manager, body(&desk, json!({}))).await;
    let active = app.activate_contract(manager, id(&first)).await;
    assert_eq!(active["allowed_actions"], json!(["renew", "terminate"]));
    let path = format!("{CONTRACTS}/{}/renew", id(&first));
    let renewal = app
        .expect_post(
            manager,
            &path,
            Some(json!({"title": "Acme retainer 2027"})),
            201,
        )
        .await;
    assert_eq!(renewal["status"], "draft");
    assert_eq!(renewal["renewal_of"], id(&first));
    assert_eq!(renewal["title"], "Acme retainer 2027");
    assert_eq!(renewal["start_date"], "2027-01-01");
    assert_eq!(renewal["end_date"], "2027-12-31");
    assert_eq!(renewal["notice_deadline"], "2027-10-02");
    assert_eq!(renewal["value"], active["value"]);
    assert_eq!(renewal["account_id"], desk.account);
    assert_eq!(renewal["external_ref"], Value::Null);

    app.activate_contract(manager, id(&renewal)).await;
    let res = app
        .get(&format!("{CONTRACTS}/{}", id(&first)))
        .token(manager)
        .send()
        .await;
    assert_eq!(res.json()["status"], "superseded");
    let trail = audit_trail(&app, "contracts", &id(&first).to_string()).await;
    assert_eq!(
        actions(&trail),
        [
            "contracts.create",
            "contracts.submit",
            "contracts.activate",
            "contracts.supersede"
        ]
    );
    let trail = audit_trail(&app, "contracts", &id(&renewal).to_string()).await;
    assert_eq!(
        actions(&trail),
        ["contracts.renew", "contracts.submit", "contracts.activate"]
    );
}

#[actix_web::test]
async fn without_a_term_a_renewal_runs_as_long_as_its_predecessor() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let changes = json!({"renewal_term_months": null, "end_date": "2026-03-31"});
    let first = app.contract(manager, body(&desk, changes)).await;
    app.activate_contract(manager, id(&first)).await;
    let path = format!("{CONTRACTS}/{}/renew", id(&first));
    let renewal = app.expect_post(manager, &path, None, 201).await;
    assert_eq!(renewal["start_date"], "2026-04-01");
    // 89 days after its start, as the first ran from 1 January to 31 March.
    assert_eq!(renewal["end_date"], "2026-06-29");
}

#[actix_web::test]
async fn a_contract_has_one_open_renewal() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let first = app.contract(manager, body(&desk, json!({}))).await;
    app.activate_contract(manager, id(&first)).await;
    let path = format!("{CONTRACTS}/{}/renew", id(&first));
    app.expect_post(manager, &path, None, 201).await;
    let res = app.post(&path).token(manager).send().await;
    let problem = res.problem(409);
    assert_eq!(error(&problem, "renewal_of")["code"], "unique", "{problem}");
    let page = app
        .get(&format!("{CONTRACTS}?renewal_of={}", id(&first)))
        .token(manager)
        .send()
        .await
        .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_terminated_draft_or_open_ended_contract_is_not_renewed() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let draft = app.contract(manager, body(&desk, json!({}))).await;
    let res = app
        .post(&format!("{CONTRACTS}/{}/renew", id(&draft)))
        .token(manager)
        .send()
        .await;
    let problem = res.problem(409);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("is draft; only an active"));

    let first = app.contract(manager, body(&desk, json!({}))).await;
    app.activate_contract(manager, id(&first)).await;
    let terminate = json!({"terminated_on": "2026-06-30", "reason": "Moved in-house."});
    let path = format!("{CONTRACTS}/{}/terminate", id(&first));
    let terminated = app.expect_post(manager, &path, Some(terminate), 200).await;
    assert_eq!(terminated["status"], "terminated");
    assert_eq!(terminated["terminated_on"], "2026-06-30");
    let res = app
        .post(&format!("{CONTRACTS}/{}/renew", id(&first)))
        .token(manager)
        .send()
        .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("is terminated; only an active"),
        "{problem}"
    );
    let page = app
        .get(&format!("{CONTRACTS}?renewal_of={}", id(&first)))
        .token(manager)
        .send()
        .await
        .json();
    assert_eq!(page["data"], json!([]));

    let open = json!({"kind": "framework", "end_date": null});
    let framework = app.contract(manager, body(&desk, open)).await;
    app.activate_contract(manager, id(&framework)).await;
    let res = app
        .post(&format!("{CONTRACTS}/{}/renew", id(&framework)))
        .token(manager)
        .send()
        .await;
    let problem = res.problem(409);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("has no end date"));
}

#[actix_web::test]
async fn a_cancelled_approval_returns_the_contract_to_draft() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let draft = app.contract(manager, body(&desk, json!({}))).await;
    let path = format!("{CONTRACTS}/{}/submit", id(&draft));
    let submitted = app.expect_post(manager, &path, None, 200).await;
    let approval = submitted["approval_id"].as_i64().unwrap();
    let cancel = format!("/api/v1/approvals/{approval}/cancel");
    app.expect_post(
        manager,
        &cancel,
        Some(json!({"reason": "Wrong value."})),
        200,
    )
    .await;
    let res = app
        .get(&format!("{CONTRACTS}/{}", id(&draft)))
        .token(manager)
        .send()
        .await;
    assert_eq!(res.json()["status"], "draft");
}

#[actix_web::test]
async fn a_termination_before_the_start_is_refused() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let first = app.contract(manager, body(&desk, json!({}))).await;
    app.activate_contract(manager, id(&first)).await;
    let res = app
        .post(&format!("{CONTRACTS}/{}/terminate", id(&first)))
        .token(manager)
        .json(json!({"terminated_on": "2025-12-31", "reason": "Never started."}))
        .send()
        .await;
    assert_invalid(&res, "terminated_on", "invalid");
}

#[actix_web::test]
async fn a_client_wide_contract_files_its_approval_under_the_first_account() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let admin = app.admin_token();
    let wide = app
        .contract(&desk.manager.1, body(&desk, json!({"account_id": null})))
        .await;
    let active = app.activate_contract(&desk.manager.1, id(&wide)).await;
    let approval = app
        .get(&format!("/api/v1/approvals/{}", active["approval_id"]))
        .token(&admin)
        .send()
        .await
        .json();
    assert_eq!(approval["account_id"], desk.account, "{approval}");

    let lone = app
        .client(&format!("Lone {}", uuid::Uuid::new_v4().simple()))
        .await;
    let changes = json!({"client_id": id(&lone), "account_id": null});
    let draft = app.contract(&admin, body(&desk, changes)).await;
    let res = app
        .post(&format!("{CONTRACTS}/{}/submit", id(&draft)))
        .token(&admin)
        .send()
        .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("has no account"),
        "{problem}"
    );
    let res = app
        .get(&format!("{CONTRACTS}/{}", id(&draft)))
        .token(&admin)
        .send()
        .await;
    assert_eq!(res.json()["status"], "draft");
}
