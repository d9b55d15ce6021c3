//! The work loop: a brief from draft to delivered, and the ways an approval sends it back.

use super::*;

#[actix_web::test]
async fn a_brief_goes_from_draft_to_delivered_through_an_internal_and_a_client_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let (exec, manager) = (&desk.exec.1, &desk.manager.1);
    let draft = app.brief_by(exec, desk.account, "Spring launch").await;
    let submitted = app.submit(exec, id(&draft), None).await;
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["submitted_version"], 1);
    let approval_id = submitted["approval_id"]
        .as_i64()
        .expect("the approval's id");

    // The executive asked and wrote: they may not decide the internal stage.
    let seen = get(&app, exec, &format!("/api/v1/approvals/{approval_id}")).await;
    assert_eq!(seen["subject_type"], "brief");
    assert_eq!(seen["subject_version"], 1);
    assert_eq!(seen["requested_by"], desk.exec.0);
    assert_eq!(seen["current_stage"], 1);
    assert_eq!(statuses(&seen), ["pending", "waiting"]);
    assert_eq!(seen["allowed_actions"], json!(["cancel"]));
    let seen = get(&app, manager, &format!("/api/v1/approvals/{approval_id}")).await;
    assert_eq!(seen["allowed_actions"], json!(["decide", "cancel"]));

    let after = app.approve(manager, approval_id, 1).await;
    assert_eq!(statuses(&after), ["approved", "pending"]);
    assert_eq!(after["current_stage"], 2);
    assert_eq!(
        after["stages"][0]["decisions"][0]["decided_by"],
        desk.manager.0
    );
    assert_eq!(brief(&app, id(&draft)).await["status"], "submitted");

    // The executive brings back the client's word.
    let after = app.client_approves(exec, approval_id, 1).await;
    assert_eq!(after["status"], "approved");
    assert_eq!(after["current_stage"], Value::Null);
    assert_eq!(
        after["stages"][1]["decisions"][0]["client_person"]["name"],
        "Giulia Bianchi"
    );
    assert_eq!(brief(&app, id(&draft)).await["status"], "approved");

    let path = format!("/api/v1/briefs/{}", id(&draft));
    let producing = app
        .expect_post(exec, &format!("{path}/start-production"), None, 200)
        .await;
    assert_eq!(producing["status"], "in_production");
    assert!(producing["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("add_round")));
    let round = app.round(exec, id(&draft)).await;
    assert_eq!(round["number"], 1);
    assert_eq!(round["status"], "presented");
    assert_eq!(round["allowed_actions"], json!(["request_approval"]));
    let round_approval = app.round_approval(exec, id(&round), None).await;
    assert_eq!(round_approval["subject_version"], 1);
    app.approve(manager, id(&round_approval), 1).await;
    app.client_approves(exec, id(&round_approval), 1).await;
    let round = get(
        &app,
        exec,
        &format!("/api/v1/creative-rounds/{}", id(&round)),
    )
    .await;
    assert_eq!(round["status"], "accepted");
    assert_eq!(round["approval_id"], id(&round_approval));

    let delivered = app
        .expect_post(exec, &format!("{path}/deliver"), None, 200)
        .await;
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(delivered["allowed_actions"], json!([]));

    let trail = audit_trail(&app, "briefs", &id(&draft).to_string()).await;
    assert_eq!(
        actions(&trail),
        [
            "briefs.create",
            "briefs.submit",
            "briefs.approve",
            "briefs.start_production",
            "briefs.deliver"
        ]
    );
    let trail = audit_trail(&app, "approvals", &approval_id.to_string()).await;
    assert_eq!(
        actions(&trail),
        [
            "approvals.create",
            "approvals.decide",
            "approvals.record_client_decision"
        ]
    );
    assert_eq!(trail[1]["actor_id"], desk.manager.0);
}

#[actix_web::test]
async fn changes_requested_reopen_the_brief_and_a_resubmission_is_version_two_with_its_diff() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let (exec, manager) = (&desk.exec.1, &desk.manager.1);
    let draft = app.brief_by(exec, desk.account, "Spring launch").await;
    let first = app.submit(exec, id(&draft), None).await["approval_id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/briefs/{}", id(&draft));

    let res = app
        .patch(&path)
        .token(exec)
        .json(json!({"key_message": "Edited"}))
        .send()
        .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("is submitted"),
        "{problem}"
    );

    let note = "The insight reads as a claim; ground it in the research.";
    let res = decide(
        &app,
        manager,
        first,
        json!({
            "decision": "changes_requested", "note": note, "subject_version": 1
        }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let closed = res.json();
    assert_eq!(closed["status"], "changes_requested");
    assert_eq!(statuses(&closed), ["changes_requested", "skipped"]);
    assert_eq!(closed["stages"][0]["decisions"][0]["note"], note);
    let reopened = brief(&app, id(&draft)).await;
    assert_eq!(reopened["status"], "changes_requested");

    let res = app
        .patch(&path)
        .token(exec)
        .json(json!({"key_message": "Crunch time"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let second = app.submit(exec, id(&draft), None).await;
    assert_eq!(second["submitted_version"], 2);
    let second = second["approval_id"].as_i64().unwrap();
    assert_ne!(second, first);

    // A decision on what was seen before the edit is refused.
    let res = decide(
        &app,
        manager,
        second,
        json!({"decision": "approved", "subject_version": 1}),
    )
    .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("version 2"),
        "{problem}"
    );

    let versions = get(&app, exec, &format!("{path}/versions")).await;
    let versions = versions["data"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["changes"], json!([]));
    assert_eq!(versions[0]["content"]["key_message"], "First");
    assert_eq!(
        versions[1]["changes"],
        json!([{"field": "key_message", "before": "First", "after": "Crunch time"}])
    );
    let two = get(&app, exec, &format!("{path}/versions/2")).await;
    assert_eq!(two, versions[1]);
    let res = app
        .get(&format!("{path}/versions/3"))
        .token(exec)
        .send()
        .await;
    assert_eq!(
        res.problem(404)["detail"],
        format!("version 3 of brief {} not found", id(&draft))
    );
}

#[actix_web::test]
async fn a_cancelled_approval_returns_the_brief_to_draft_and_a_rejection_cancels_it() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let (exec, manager) = (&desk.exec.1, &desk.manager.1);
    let draft = app.brief_by(exec, desk.account, "Spring launch").await;
    let first = app.submit(exec, id(&draft), None).await["approval_id"]
        .as_i64()
        .unwrap();
    let body = json!({"reason": "The client paused the campaign."});
    let cancelled = app
        .expect_post(
            exec,
            &format!("/api/v1/approvals/{first}/cancel"),
            Some(body),
            200,
        )
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["cancel_reason"],
        "The client paused the campaign."
    );
    assert_eq!(statuses(&cancelled), ["skipped", "skipped"]);
    assert_eq!(brief(&app, id(&draft)).await["status"], "draft");
    let res = app
        .post(&format!("/api/v1/approvals/{first}/cancel"))
        .token(exec)
        .send()
        .await;
    let problem = res.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("is cancelled"),
        "{problem}"
    );

    let second = app.submit(exec, id(&draft), None).await["approval_id"]
        .as_i64()
        .unwrap();
    let res = decide(
        &app,
        manager,
        second,
        json!({
            "decision": "rejected", "note": "Not the brief we need.", "subject_version": 2
        }),
    )
    .await;
    assert_eq!(res.json()["status"], "rejected", "{}", res.text());
    let rejected = brief(&app, id(&draft)).await;
    assert_eq!(rejected["status"], "cancelled");
    let trail = audit_trail(&app, "briefs", &id(&draft).to_string()).await;
    assert_eq!(
        actions(&trail),
        [
            "briefs.create",
            "briefs.submit",
            "briefs.withdraw",
            "briefs.submit",
            "briefs.reject"
        ]
    );
}

#[actix_web::test]
async fn a_new_round_supersedes_the_last_and_cancels_its_pending_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let brief = app
        .brief_in_production(exec, desk.account, "Spring launch")
        .await;
    let first = app.round(exec, id(&brief)).await;
    let pending = app.round_approval(exec, id(&first), None).await;
    let second = app.round(exec, id(&brief)).await;
    assert_eq!(second["number"], 2);
    let first = get(
        &app,
        exec,
        &format!("/api/v1/creative-rounds/{}", id(&first)),
    )
    .await;
    assert_eq!(first["status"], "superseded");
    assert_eq!(first["allowed_actions"], json!([]));
    let pending = approval(&app, id(&pending)).await;
    assert_eq!(pending["status"], "cancelled");
    assert_eq!(pending["cancel_reason"], "superseded by round 2");
    let rounds = get(&app, exec, &format!("/api/v1/briefs/{}/rounds", id(&brief))).await;
    let numbers: Vec<i64> = rounds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2]);
}

#[actix_web::test]
async fn cancelling_a_brief_cancels_its_pending_approval() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let submitted = app
        .submitted_brief(exec, desk.account, "Spring launch")
        .await;
    let path = format!("/api/v1/briefs/{}/cancel", id(&submitted));
    app.expect_post(exec, &path, None, 200).await;
    let pending = approval(&app, submitted["approval_id"].as_i64().unwrap()).await;
    assert_eq!(pending["status"], "cancelled");
    assert_eq!(
        pending["cancel_reason"],
        format!("brief {} was cancelled", id(&submitted))
    );
    assert_eq!(brief(&app, id(&submitted)).await["status"], "cancelled");
}
