//! Creating, reading, editing and deleting contracts: the derived fields, the draft-only
//! edits, and the audit trail.

use super::*;

#[actix_web::test]
async fn a_created_contract_is_a_draft_with_its_notice_deadline() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let created = app.contract(&desk.manager.1, body(&desk, json!({}))).await;
    assert_eq!(created["status"], "draft");
    assert_eq!(created["notice_deadline"], "2026-10-02");
    assert_eq!(created["created_by"], desk.manager.0);
    assert_eq!(created["renewal_of"], Value::Null);
    assert_eq!(
        created["allowed_actions"],
        json!(["update", "delete", "submit"])
    );
    let trail = audit_trail(&app, "contracts", &id(&created).to_string()).await;
    assert_eq!(actions(&trail), ["contracts.create"]);
}

#[actix_web::test]
async fn a_framework_may_be_open_ended_and_has_no_deadline() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let created = app
        .contract(
            &desk.manager.1,
            body(&desk, json!({"kind": "framework", "end_date": null})),
        )
        .await;
    assert_eq!(created["end_date"], Value::Null);
    assert_eq!(created["notice_deadline"], Value::Null);
}

#[actix_web::test]
async fn an_edit_moves_the_deadline_with_the_end_date() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let created = app.contract(&desk.manager.1, body(&desk, json!({}))).await;
    let res = app
        .patch(&format!("{CONTRACTS}/{}", id(&created)))
        .token(&desk.manager.1)
        .header("If-Match", "\"1\"")
        .json(json!({"end_date": "2027-01-31", "notice_days": 30}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["notice_deadline"], "2027-01-01");
}

#[actix_web::test]
async fn a_submitted_contract_cannot_be_edited_or_deleted() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let created = app.contract(&desk.manager.1, body(&desk, json!({}))).await;
    let path = format!("{CONTRACTS}/{}", id(&created));
    let submitted = app
        .expect_post(&desk.manager.1, &format!("{path}/submit"), None, 200)
        .await;
    assert_eq!(submitted["status"], "pending_approval");
    assert_eq!(submitted["allowed_actions"], json!([]));
    let res = app
        .patch(&path)
        .token(&desk.manager.1)
        .header("If-Match", "\"2\"")
        .json(json!({"title": "Changed"}))
        .send()
        .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("is pending_approval; only a draft can be edited"),
        "{problem}"
    );
    let res = app
        .delete(&path)
        .token(&desk.manager.1)
        .header("If-Match", "\"2\"")
        .send()
        .await;
    res.problem(409);
}

#[actix_web::test]
async fn a_draft_is_deleted() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let created = app.contract(&desk.manager.1, body(&desk, json!({}))).await;
    let path = format!("{CONTRACTS}/{}", id(&created));
    let res = app
        .delete(&path)
        .token(&desk.manager.1)
        .header("If-Match", "\"1\"")
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert_eq!(
        app.get(&path).token(&desk.manager.1).send().await.status,
        404
    );
}

#[actix_web::test]
async fn approvals_refuses_a_contract_and_points_to_submit() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let created = app.contract(&desk.manager.1, body(&desk, json!({}))).await;
    let res = app
        .post("/api/v1/approvals")
        .token(&app.admin_token())
        .json(json!({"subject_type": "contract", "subject_id": id(&created)}))
        .send()
        .await;
    let problem = assert_invalid(&res, "subject_type", "invalid");
    assert!(
        problem
            .to_string()
            .contains("/api/v1/contracts/{id}/submit"),
        "{problem}"
    );
}
