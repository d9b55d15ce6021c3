//! Of N concurrent attempts at one step, exactly one is taken, on either database; the
//! others are refused with 409 and leave nothing behind.

use futures_util::future::join_all;

use super::*;

#[actix_web::test]
async fn of_fifty_concurrent_decisions_on_one_stage_exactly_one_is_taken() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let submitted = app
        .submitted_brief(&desk.exec.1, desk.account, "Race")
        .await;
    let approval_id = submitted["approval_id"].as_i64().unwrap();
    let admin = app.admin_token();
    let body = json!({"decision": "approved", "subject_version": 1});
    let responses = join_all((0..50).map(|i| {
        let token = if i % 2 == 0 { &admin } else { &desk.manager.1 };
        decide(&app, token, approval_id, body.clone())
    }))
    .await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    for res in responses.iter().filter(|r| r.status != 200) {
        let problem = res.problem(409);
        assert!(
            problem["detail"].as_str().unwrap().contains("client stage")
                || problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("decided meanwhile"),
            "{problem}"
        );
    }
    let after = approval(&app, approval_id).await;
    assert_eq!(after["stages"][0]["decisions"].as_array().unwrap().len(), 1);
    assert_eq!(after["version"], 2);
    let trail = audit_trail(&app, "approvals", &approval_id.to_string()).await;
    assert_eq!(actions(&trail), ["approvals.create", "approvals.decide"]);
}

#[actix_web::test]
async fn of_fifty_concurrent_submissions_of_one_brief_exactly_one_opens_an_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let draft = app.brief_by(exec, desk.account, "Race").await;
    let path = format!("/api/v1/briefs/{}/submit", id(&draft));
    let responses = join_all((0..50).map(|_| app.post(&path).token(exec).send())).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    for res in responses.iter().filter(|r| r.status != 200) {
        let problem = res.problem(409);
        assert!(
            problem["detail"].as_str().unwrap().contains("is submitted"),
            "{problem}"
        );
    }
    let query = format!(
        "/api/v1/approvals?subject_type=brief&subject_id={}",
        id(&draft)
    );
    let open = get(&app, exec, &query).await;
    assert_eq!(open["data"].as_array().unwrap().len(), 1, "{open}");
    let versions = get(
        &app,
        exec,
        &format!("/api/v1/briefs/{}/versions", id(&draft)),
    )
    .await;
    assert_eq!(versions["data"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn of_twenty_concurrent_requests_for_one_round_exactly_one_opens_an_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let brief = app.brief_in_production(exec, desk.account, "Race").await;
    let round = id(&app.round(exec, id(&brief)).await);
    let body = json!({"subject_type": "creative_round", "subject_id": round});
    let responses = join_all((0..20).map(|_| {
        app.post("/api/v1/approvals")
            .token(exec)
            .json(body.clone())
            .send()
    }))
    .await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
}
