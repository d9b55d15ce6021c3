//! Audit trail.

use super::*;

#[actix_web::test]
async fn create_writes_an_accounts_create_event_with_the_new_values() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000)}),
    )
    .await;
    let account = res.json();
    let events = audit_trail(&app, "accounts", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create"]);
    let event = &events[0];
    assert_eq!(event["actor_id"], app.admin_id);
    assert_eq!(event["request_id"], res.header("x-request-id").unwrap());
    assert_eq!(event["resource_id"], account["id"].to_string());
    let changes = &event["changes"];
    assert_eq!(
        changes["name"],
        json!({"before": null, "after": "Acme Snacks"})
    );
    assert_eq!(
        changes["client_id"],
        json!({"before": null, "after": client["id"]})
    );
    assert_eq!(
        changes["status"],
        json!({"before": null, "after": "active"})
    );
    assert_eq!(
        changes["manager_id"],
        json!({"before": null, "after": app.admin_id})
    );
    assert_eq!(
        changes["budget"],
        json!({"before": null, "after": eur(1000)})
    );
    assert!(
        changes.get("external_ref").is_none(),
        "unset fields did not change"
    );
    assert!(
        changes.get("allowed_actions").is_none(),
        "not part of the record"
    );
    assert!(changes.get("version").is_none());
}

#[actix_web::test]
async fn patch_writes_an_accounts_update_event_with_before_and_after() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (director_id, director) = app.staff("account_director").await;
    let account = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000)}),
    )
    .await
    .json();
    let res = app
        .patch(&account_url(&account["id"]))
        .token(&director)
        .header("x-request-id", "close-acme-snacks")
        .json(json!({"status": "closed", "budget": null, "name": "Acme Snacks"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let events = audit_trail(&app, "accounts", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.update"]);
    assert_eq!(events[1]["actor_id"], director_id);
    assert_eq!(events[1]["request_id"], "close-acme-snacks");
    assert_eq!(
        events[1]["changes"],
        json!({
            "status": {"before": "active", "after": "closed"},
            "budget": {"before": eur(1000), "after": null},
        })
    );
}

#[actix_web::test]
async fn delete_writes_an_accounts_delete_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = app
        .delete(&account_url(&account["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204);
    let events = audit_trail(&app, "accounts", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.delete"]);
    assert_eq!(events[1]["request_id"], res.header("x-request-id").unwrap());
    assert_eq!(
        events[1]["changes"]["name"],
        json!({"before": "Acme Snacks", "after": null})
    );
}

#[actix_web::test]
async fn assign_and_unassign_write_account_team_events() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    app.delete(&member_url(&account["id"], staff_id))
        .token(&app.admin_token())
        .send()
        .await;

    let events = team_trail(&app, &account, staff_id).await;
    assert_eq!(
        actions(&events),
        ["account_teams.assign", "account_teams.unassign"]
    );
    assert!(events.iter().all(|e| e["resource_type"] == "account_teams"));
    assert!(events.iter().all(|e| e["actor_id"] == app.admin_id));
    assert_eq!(
        events[0]["changes"],
        json!({
            "staff_id": {"before": null, "after": staff_id},
            "role_on_account": {"before": null, "after": "lead"},
        })
    );
    assert_eq!(
        events[1]["changes"],
        json!({
            "staff_id": {"before": staff_id, "after": null},
            "role_on_account": {"before": "lead", "after": null},
        })
    );
}

#[actix_web::test]
async fn failed_or_empty_account_mutations_write_no_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    app.account(&client["id"], "Acme Drinks").await;
    let (inactive_id, _) = app.staff("account_executive").await;
    deactivate(&app, inactive_id).await;
    let one = account_url(&account["id"]);
    let token = app.admin_token();

    patch(&app, &account, json!({"budget": eur(-1)}))
        .await
        .problem(422);
    patch(&app, &account, json!({"name": "Acme Drinks"}))
        .await
        .problem(409);
    patch(&app, &account, json!({"manager_id": inactive_id}))
        .await
        .problem(422);
    app.patch(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .json(json!({"status": "paused"}))
        .send()
        .await
        .problem(412);
    app.delete(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .send()
        .await
        .problem(412);
    put_member(&app, &account, inactive_id, "lead")
        .await
        .problem(422);
    assert_eq!(patch(&app, &account, json!({})).await.status, 200);

    let events = audit_trail(&app, "accounts", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create"]);
    let team_events = team_trail(&app, &account, inactive_id).await;
    assert_eq!(team_events, Vec::<Value>::new());
}
