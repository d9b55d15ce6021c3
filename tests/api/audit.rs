use serde_json::{json, Value};

use crate::helpers::*;

async fn events(app: &TestApp, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/audit-events{query}"))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

#[actix_web::test]
async fn first_start_is_recorded_as_system_events() {
    let app = TestApp::spawn().await;
    let body = events(&app, "?resource_type=roles&limit=200").await;
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 6);
    assert!(data
        .iter()
        .all(|e| e["actor_id"].is_null() && e["action"] == "roles.create"));
    assert!(data.iter().all(|e| e["request_id"] == "startup"));
    let admin = events(
        &app,
        &format!("?resource_type=staff&resource_id={}", app.admin_id),
    )
    .await;
    assert_eq!(admin["data"][0]["action"], "staff.create");
    assert!(admin["data"][0]["changes"].get("password_hash").is_none());
}

#[actix_web::test]
async fn events_filter_by_resource_actor_and_time() {
    let app = TestApp::spawn().await;
    let (manager, manager_token) = app.staff("admin").await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let created = app
        .post("/api/v1/clients")
        .token(&manager_token)
        .json(json!({"name": "Umbrella"}))
        .send()
        .await;
    let request_id = created.header("x-request-id").unwrap().to_owned();
    let id = created.json()["id"].as_i64().unwrap();

    let by_resource = events(&app, &format!("?resource_type=clients&resource_id={id}")).await;
    let data = by_resource["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["action"], "clients.create");
    assert_eq!(data[0]["actor_id"], manager);
    assert_eq!(data[0]["request_id"], request_id.as_str());
    assert_eq!(
        data[0]["changes"]["name"],
        json!({"before": null, "after": "Umbrella"})
    );

    let by_actor = events(&app, &format!("?actor_id={manager}")).await;
    assert_eq!(by_actor["data"].as_array().unwrap().len(), 1);

    let since = before.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let recent = events(
        &app,
        &format!("?updated_since={since}&resource_type=clients"),
    )
    .await;
    assert_eq!(recent["data"].as_array().unwrap().len(), 1);
    let future = events(&app, "?updated_since=2999-01-01T00:00:00Z").await;
    assert!(future["data"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn the_feed_pages_oldest_first_and_newest_first() {
    let app = TestApp::spawn().await;
    for i in 0..4 {
        app.client(&format!("Client {i}")).await;
    }
    let mut ids = Vec::new();
    let mut query = "?resource_type=clients&limit=3".to_owned();
    loop {
        let page = events(&app, &query).await;
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?resource_type=clients&limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    let newest = events(&app, "?resource_type=clients&sort=-occurred_at").await;
    let newest: Vec<i64> = newest["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(newest, ids.iter().rev().copied().collect::<Vec<_>>());
}

#[actix_web::test]
async fn bad_audit_queries_are_400() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    for query in [
        "?updated_since=yesterday",
        "?limit=500",
        "?sort=action",
        "?actor_id=abc",
        "?cursor=%%%",
        "?colour=red",
    ] {
        app.get(&format!("/api/v1/audit-events{query}"))
            .token(&token)
            .send()
            .await
            .problem(400);
    }
}
