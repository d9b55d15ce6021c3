//! Approval policies: the default stages per subject type, data like roles.

use super::*;

#[actix_web::test]
async fn every_subject_type_has_a_seeded_policy_and_a_new_one_applies_to_later_requests() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let policies = get(&app, &admin, "/api/v1/approval-policies").await;
    let kinds: Vec<Value> = policies["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!([p["subject_type"], p["stages"].as_array().unwrap().len()]))
        .collect();
    assert_eq!(
        kinds,
        [
            json!(["brief", 2]),
            json!(["creative_round", 2]),
            json!(["contract", 2]),
            json!(["payment", 1])
        ]
    );

    let desk = desk(&app).await;
    let (director, _) = app.staff("account_director").await;
    let stages = json!([
        {"name": "Director", "kind": "internal", "deciders": [director]},
        {"name": "Manager", "kind": "internal"},
        {"name": "Client", "kind": "client"}
    ]);
    let res = app
        .put("/api/v1/approval-policies/brief")
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(json!({"stages": stages}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["version"], 2);
    let submitted = app
        .submitted_brief(&desk.exec.1, desk.account, "Three stages")
        .await;
    let opened = approval(&app, submitted["approval_id"].as_i64().unwrap()).await;
    let names: Vec<&str> = opened["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Director", "Manager", "Client"]);
    assert_eq!(opened["stages"][0]["deciders"], json!([director]));
    let trail = audit_trail(&app, "approval_policies", "brief").await;
    assert_eq!(
        actions(&trail),
        ["approval_policies.create", "approval_policies.update"]
    );

    let res = app
        .get("/api/v1/approval-policies/invoice")
        .token(&admin)
        .send()
        .await;
    assert_eq!(
        res.problem(404)["detail"],
        "approval policy \"invoice\" not found"
    );
    let (coordinator, _) = app.staff("account_coordinator").await;
    let res = app
        .put("/api/v1/approval-policies/payment")
        .token(&admin)
        .json(
            json!({"stages": [{"name": "Finance", "kind": "internal", "deciders": [coordinator]}]}),
        )
        .send()
        .await;
    let problem = res.problem(422);
    assert_eq!(
        error(&problem, "stages[0].deciders")["message"],
        format!("staff {coordinator} does not hold approvals.decide")
    );
}
