//! Audit trail.

use super::*;

fn assert_event(event: &Value, action: &str, actor_id: i64, request_id: Option<&str>) {
    assert_eq!(event["action"], action, "{event}");
    assert_eq!(event["resource_type"], "clients", "{event}");
    assert_eq!(event["actor_id"], actor_id, "{event}");
    assert_eq!(
        event["request_id"],
        request_id.expect("x-request-id"),
        "{event}"
    );
}

#[actix_web::test]
async fn create_writes_one_audit_event_with_the_new_values() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "industry": "Food"})).await;
    let client = res.json();
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_event(
        event,
        "clients.create",
        app.admin_id,
        res.header("x-request-id"),
    );
    assert_eq!(event["resource_id"], client["id"].to_string());
    let changes = &event["changes"];
    assert_eq!(changes["name"], json!({"before": null, "after": "Acme"}));
    assert_eq!(
        changes["industry"],
        json!({"before": null, "after": "Food"})
    );
    assert_eq!(
        changes["status"],
        json!({"before": null, "after": "prospect"})
    );
    assert!(
        changes.get("website").is_none(),
        "unset fields did not change"
    );
    assert!(changes.get("version").is_none());
}

#[actix_web::test]
async fn patch_writes_one_audit_event_with_before_and_after() {
    let app = TestApp::spawn().await;
    let (director_id, _) = app.staff("account_director").await;
    let client = create(
        &app,
        json!({"name": "Acme", "website": "https://acme.example"}),
    )
    .await
    .json();
    let res = app
        .patch(&client_url(&client["id"]))
        .token(&app.token_for(director_id))
        .header("x-request-id", "patch-acme-1")
        .json(json!({"status": "active", "website": null, "name": "Acme"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let event = &events[1];
    assert_event(event, "clients.update", director_id, Some("patch-acme-1"));
    assert_eq!(
        event["changes"],
        json!({
            "status": {"before": "prospect", "after": "active"},
            "website": {"before": "https://acme.example", "after": null},
        })
    );
}

#[actix_web::test]
async fn put_health_writes_one_clients_health_event() {
    let app = TestApp::spawn().await;
    let (executive_id, executive) = app.staff("account_executive").await;
    let client = app.client("Acme").await;
    app.assign_to_client(&client["id"], executive_id).await;
    let res = put_health(
        &app,
        &executive,
        &client,
        json!({"health": "watch", "health_note": "Late payments"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_event(
        &events[1],
        "clients.health",
        executive_id,
        res.header("x-request-id"),
    );
    assert_eq!(
        events[1]["changes"],
        json!({
            "health": {"before": "good", "after": "watch"},
            "health_note": {"before": null, "after": "Late payments"},
        })
    );
}

#[actix_web::test]
async fn delete_writes_one_clients_delete_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .delete(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204);
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_event(
        &events[1],
        "clients.delete",
        app.admin_id,
        res.header("x-request-id"),
    );
    assert_eq!(
        events[1]["changes"]["name"],
        json!({"before": "Acme", "after": null})
    );
}

#[actix_web::test]
async fn failed_or_empty_mutations_write_no_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    app.client("Globex").await;
    let one = client_url(&client["id"]);
    let token = app.admin_token();

    patch(&app, &client, json!({"website": "nope"}))
        .await
        .problem(422);
    patch(&app, &client, json!({"name": "Globex"}))
        .await
        .problem(409);
    let stale = app
        .patch(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    stale.problem(412);
    put_health(&app, &token, &client, json!({"health": "great"}))
        .await
        .problem(422);
    app.delete(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .send()
        .await
        .problem(412);
    assert_eq!(patch(&app, &client, json!({})).await.status, 200);
    create(&app, json!({"name": "acme"})).await.problem(409);

    let events = audit_events(&app, &client["id"]).await;
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["clients.create"]);
}
