//! What a decision, a submission and a request must pass; every refusal writes nothing.

use super::*;

fn detail(res: &Resp, status: u16) -> String {
    res.problem(status)["detail"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn nobody_decides_an_internal_stage_of_their_own_request_or_subject() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let (_, director_token) = app.staff("account_director").await;

    // The manager writes and submits: they asked.
    let own = app.submitted_brief(manager, desk.account, "Own").await;
    let own = own["approval_id"].as_i64().unwrap();
    let body = json!({"decision": "approved", "subject_version": 1});
    let res = decide(&app, manager, own, body.clone()).await;
    let text = detail(&res, 403);
    assert!(
        text.contains("four-eyes") && text.contains("requested"),
        "{text}"
    );

    // The director wrote it, the manager submitted it: the director authored it.
    let written = app.brief_by(&director_token, desk.account, "Written").await;
    let written = app.submit(manager, id(&written), None).await;
    let written = written["approval_id"].as_i64().unwrap();
    let res = decide(&app, &director_token, written, body.clone()).await;
    let text = detail(&res, 403);
    assert!(text.contains("authored"), "{text}");
    let seen = get(
        &app,
        &director_token,
        &format!("/api/v1/approvals/{written}"),
    )
    .await;
    assert_eq!(seen["allowed_actions"], json!(["cancel"]));

    // Nothing was written by the refusals; a third person decides.
    assert_eq!(approval(&app, own).await["version"], 1);
    let trail = audit_trail(&app, "approvals", &own.to_string()).await;
    assert_eq!(actions(&trail), ["approvals.create"]);
    assert_eq!(decide(&app, &director_token, own, body).await.status, 200);
}

#[actix_web::test]
async fn a_stage_naming_its_deciders_is_theirs_and_rule_all_waits_for_each() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let (first, first_token) = app.staff("account_director").await;
    let (second, second_token) = app.staff("account_director").await;
    let stages = json!({"stages": [
        {"name": "Directors", "kind": "internal", "rule": "all", "deciders": [first, second]},
        {"name": "Client", "kind": "client"}
    ]});
    let draft = app.brief_by(exec, desk.account, "Named").await;
    let approval_id = app.submit(exec, id(&draft), Some(stages)).await["approval_id"]
        .as_i64()
        .unwrap();
    let body = json!({"decision": "approved", "subject_version": 1});

    let res = decide(&app, &desk.manager.1, approval_id, body.clone()).await;
    let text = detail(&res, 403);
    assert!(
        text.contains(&format!("staff {first}, {second} only")),
        "{text}"
    );
    let seen = get(
        &app,
        &desk.manager.1,
        &format!("/api/v1/approvals/{approval_id}"),
    )
    .await;
    assert_eq!(seen["allowed_actions"], json!(["cancel"]));

    let after = decide(&app, &first_token, approval_id, body.clone())
        .await
        .json();
    assert_eq!(after["current_stage"], 1, "{after}");
    assert_eq!(statuses(&after), ["pending", "waiting"]);
    let res = decide(&app, &first_token, approval_id, body.clone()).await;
    assert!(detail(&res, 409).contains("already decided"));
    let after = decide(&app, &second_token, approval_id, body).await.json();
    assert_eq!(after["current_stage"], 2, "{after}");
    assert_eq!(after["stages"][0]["decisions"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn changes_and_rejections_need_a_note_on_either_kind_of_stage() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let (exec, manager) = (&desk.exec.1, &desk.manager.1);
    let internal = app.submitted_brief(exec, desk.account, "Internal").await;
    let internal = internal["approval_id"].as_i64().unwrap();
    let draft = app.brief_by(exec, desk.account, "Client").await;
    let stages = json!({"stages": crate::workflow::client_only()});
    let client = app.submit(exec, id(&draft), Some(stages)).await["approval_id"]
        .as_i64()
        .unwrap();
    for decision in ["changes_requested", "rejected"] {
        for note in [json!(null), json!("   ")] {
            let body = json!({"decision": decision, "note": note, "subject_version": 1});
            let res = decide(&app, manager, internal, body).await;
            let problem = res.problem(422);
            assert_eq!(error(&problem, "note")["code"], "required", "{problem}");
            let body = json!({
                "decision": decision, "note": note, "subject_version": 1,
                "client_person": {"name": "Giulia"}
            });
            let res = client_decide(&app, exec, client, body).await;
            assert_eq!(error(&res.problem(422), "note")["code"], "required");
        }
    }
    let res = client_decide(&app, exec, client, json!({
        "decision": "approved", "subject_version": 1, "client_person": {"name": " ", "email": "x"}
    }))
    .await;
    let problem = res.problem(422);
    assert_eq!(error(&problem, "client_person.name")["code"], "blank");
    assert_eq!(error(&problem, "client_person.email")["code"], "email");
    for id in [internal, client] {
        assert_eq!(approval(&app, id).await["version"], 1);
    }
}

#[actix_web::test]
async fn a_decision_on_the_wrong_kind_of_stage_a_stale_version_or_a_closed_approval_is_a_409() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let (exec, manager) = (&desk.exec.1, &desk.manager.1);
    let submitted = app.submitted_brief(exec, desk.account, "Launch").await;
    let approval_id = submitted["approval_id"].as_i64().unwrap();
    let client_body = json!({
        "decision": "approved", "subject_version": 1, "client_person": {"name": "Giulia"}
    });
    let res = client_decide(&app, exec, approval_id, client_body.clone()).await;
    assert!(detail(&res, 409).contains("internal stage: decide it at /decisions"));
    let res = decide(
        &app,
        manager,
        approval_id,
        json!({"decision": "approved", "subject_version": 3}),
    )
    .await;
    let text = detail(&res, 409);
    assert!(
        text.contains("version 1 of its brief") && text.contains("names version 3"),
        "{text}"
    );
    app.approve(manager, approval_id, 1).await;
    let res = decide(
        &app,
        manager,
        approval_id,
        json!({"decision": "approved", "subject_version": 1}),
    )
    .await;
    assert!(detail(&res, 409).contains("client stage: record the client's decision"));
    app.client_approves(exec, approval_id, 1).await;
    let res = client_decide(&app, exec, approval_id, client_body).await;
    assert!(detail(&res, 409).contains("is approved; a closed approval takes no decisions"));
    let trail = audit_trail(&app, "approvals", &approval_id.to_string()).await;
    assert_eq!(trail.len(), 3, "create and two decisions: {trail:?}");
}

#[actix_web::test]
async fn each_move_of_a_brief_starts_from_its_own_states_only() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let draft = app.brief_by(exec, desk.account, "Draft").await;
    let path = format!("/api/v1/briefs/{}", id(&draft));
    for (verb, rule) in [
        (
            "start-production",
            "is draft; only an approved brief goes into production",
        ),
        (
            "deliver",
            "is draft; only a brief in production can be delivered",
        ),
    ] {
        let res = app.post(&format!("{path}/{verb}")).token(exec).send().await;
        assert!(detail(&res, 409).contains(rule), "{verb}");
    }
    let body = json!({"summary": "Key visual", "assets": []});
    let res = app
        .post(&format!("{path}/rounds"))
        .token(exec)
        .json(body)
        .send()
        .await;
    assert!(detail(&res, 409).contains("added only in production"));
    app.submit(exec, id(&draft), None).await;
    let res = app.post(&format!("{path}/submit")).token(exec).send().await;
    assert!(detail(&res, 409).contains("is submitted; only a brief in draft or changes_requested"));
    let res = app.delete(&path).token(exec).send().await;
    assert!(detail(&res, 409).contains("only a draft can be deleted"));

    let producing = app
        .brief_in_production(exec, desk.account, "Producing")
        .await;
    let path = format!("/api/v1/briefs/{}/deliver", id(&producing));
    let res = app.post(&path).token(exec).send().await;
    assert!(detail(&res, 409).contains("no accepted creative round"));
    let round = app.round(exec, id(&producing)).await;
    let res = app.post(&path).token(exec).send().await;
    assert!(detail(&res, 409).contains("no accepted creative round"));
    let approval_id = id(&app.round_approval(exec, id(&round), None).await);
    let res = app
        .post("/api/v1/approvals")
        .token(exec)
        .json(json!({"subject_type": "creative_round", "subject_id": id(&round)}))
        .send()
        .await;
    let problem = res.problem(409);
    assert_eq!(error(&problem, "subject_id")["code"], "unique", "{problem}");
    let trail = audit_trail(&app, "approvals", &approval_id.to_string()).await;
    assert_eq!(trail.len(), 1);
}

#[actix_web::test]
async fn an_approval_is_asked_for_a_known_subject_in_reach_with_well_formed_stages() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let other = desk_round(&app).await;
    let mine = app.brief_in_production(exec, desk.account, "Mine").await;
    let mine = id(&app.round(exec, id(&mine)).await);
    let ask = |body: Value| app.post("/api/v1/approvals").token(exec).json(body).send();

    let res = ask(json!({"subject_type": "brief", "subject_id": mine})).await;
    assert!(error(&res.problem(422), "subject_type")["message"]
        .as_str()
        .unwrap()
        .contains("/submit"));
    let res = ask(json!({"subject_type": "contract", "subject_id": 1})).await;
    assert!(error(&res.problem(422), "subject_type")["message"]
        .as_str()
        .unwrap()
        .contains("/api/v1/contracts/{id}/submit"));
    // Out of the executive's reach reads exactly as missing.
    let res = ask(json!({"subject_type": "creative_round", "subject_id": other})).await;
    let out_of_scope = error(&res.problem(422), "subject_id").clone();
    assert_eq!(
        out_of_scope["message"],
        format!("there is no creative round {other}")
    );
    assert_eq!(out_of_scope["code"], "unknown");

    let (coordinator, _) = app.staff("account_coordinator").await;
    for (stages, field, code) in [
        (json!([]), "stages", "length"),
        (
            json!([{"name": "A", "kind": "internal", "rule": "all"}]),
            "stages[0].deciders",
            "required",
        ),
        (
            json!([{"name": "C", "kind": "client", "deciders": [desk.manager.0]}]),
            "stages[0].deciders",
            "invalid",
        ),
        (
            json!([{"name": "C", "kind": "client", "rule": "all"}]),
            "stages[0].rule",
            "invalid",
        ),
        (
            json!([{"name": " ", "kind": "internal"}]),
            "stages[0].name",
            "blank",
        ),
        (
            json!([{"name": "I", "kind": "internal", "deciders": [coordinator]}]),
            "stages[0].deciders",
            "invalid",
        ),
        (
            json!([{"name": "I", "kind": "internal", "deciders": [MISSING]}]),
            "stages[0].deciders",
            "unknown",
        ),
    ] {
        let res =
            ask(json!({"subject_type": "creative_round", "subject_id": mine, "stages": stages}))
                .await;
        let problem = res.problem(422);
        assert_eq!(error(&problem, field)["code"], code, "{stages}: {problem}");
    }
    let res = app
        .get(&format!(
            "/api/v1/approvals?subject_id={mine}&subject_type=creative_round"
        ))
        .token(exec)
        .send()
        .await;
    assert_eq!(res.json()["data"], json!([]), "nothing was opened");
}

const MISSING: i64 = 987_654_321;

/// A round on an account nobody but the admin reaches.
async fn desk_round(app: &TestApp) -> i64 {
    let client = app
        .client(&format!("Other {}", uuid::Uuid::new_v4().simple()))
        .await;
    let account = app.account(&client["id"], "Other").await;
    let admin = app.admin_token();
    let (_, requester) = app.staff("account_director").await;
    let brief = app
        .brief_in_production(&requester, account["id"].as_i64().unwrap(), "Other")
        .await;
    id(&app.round(&admin, id(&brief)).await)
}

#[actix_web::test]
async fn a_submission_body_may_be_left_out_even_with_a_json_content_type() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let exec = &desk.exec.1;
    let draft = app.brief_by(exec, desk.account, "Bare").await;
    let path = format!("/api/v1/briefs/{}/submit", id(&draft));
    let res = app
        .post(&path)
        .token(exec)
        .body("application/json", "{")
        .send()
        .await;
    res.problem(400);
    let res = app
        .post(&path)
        .token(exec)
        .body("text/plain", "hello")
        .send()
        .await;
    res.problem(415);
    let res = app
        .post(&path)
        .token(exec)
        .body("application/json", "")
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let opened = approval(&app, res.json()["approval_id"].as_i64().unwrap()).await;
    assert_eq!(
        statuses(&opened),
        ["pending", "waiting"],
        "the policy's stages"
    );
}
