use serde_json::{json, Value};

use crate::helpers::*;

fn grant(permission: &str, scope: &str) -> Value {
    json!({"permission": permission, "scope": scope})
}

#[actix_web::test]
async fn the_six_built_in_roles_carry_the_default_matrix() {
    let app = TestApp::spawn().await;
    let (_, token) = app.staff("account_coordinator").await;
    let res = app.get("/api/v1/roles").token(&token).send().await;
    assert_eq!(res.status, 200);
    let roles = res.json()["data"].as_array().unwrap().clone();
    let keys: Vec<&str> = roles.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "account_coordinator",
            "account_director",
            "account_executive",
            "account_manager",
            "account_planner",
            "admin"
        ]
    );
    assert!(roles.iter().all(|r| r["built_in"] == true));

    // Spot checks against DESIGN §3; the full matrix is exercised in permissions.rs.
    let grants = |key: &str| roles.iter().find(|r| r["key"] == key).unwrap()["permissions"].clone();
    assert!(grants("account_executive")
        .as_array()
        .unwrap()
        .contains(&grant("clients.health", "assigned")));
    assert!(grants("account_manager")
        .as_array()
        .unwrap()
        .contains(&grant("payments.approve", "assigned")));
    assert!(grants("admin")
        .as_array()
        .unwrap()
        .contains(&grant("roles.write", "all")));
    assert!(!grants("account_director")
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["permission"] == "roles.write"));
    assert!(!grants("account_planner")
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["permission"] == "contracts.read"));
    assert_eq!(grants("admin").as_array().unwrap().len(), 22);
}

#[actix_web::test]
async fn get_one_role_and_an_unknown_role() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let res = app
        .get("/api/v1/roles/account_manager")
        .token(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["name"], "Account manager");
    assert_eq!(res.header("etag"), Some("\"1\""));
    app.get("/api/v1/roles/astronaut")
        .token(&token)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_custom_role_can_be_created_and_used_at_once() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let res = app
        .post("/api/v1/roles")
        .token(&token)
        .json(json!({
            "key": "senior_account_executive",
            "name": "Senior account executive",
            "permissions": [grant("clients.read", "all"), grant("clients.write", "all")]
        }))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(
        res.header("location"),
        Some("/api/v1/roles/senior_account_executive")
    );
    let role = res.json();
    assert_eq!(role["built_in"], false);
    assert_eq!(role["description"], "");

    let (_, senior) = app.staff("senior_account_executive").await;
    let created = app
        .post("/api/v1/clients")
        .token(&senior)
        .json(json!({"name": "Globex"}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    app.get("/api/v1/staff")
        .token(&senior)
        .send()
        .await
        .problem(403);
}

/// Two creates of one key at once (two instances, say): the one that finds the key free
/// but loses the race at the write is still the 409 on the field.
#[actix_web::test]
async fn a_key_taken_by_a_concurrent_create_is_409_on_the_key_field() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let holder = "INSERT INTO roles (key, name, created_at, updated_at) \
                  VALUES ('race', 'Other', now(), now())";
    let request = app
        .post("/api/v1/roles")
        .token(&token)
        .json(json!({"key": "race", "name": "Race", "permissions": [grant("staff.read", "all")]}))
        .send();
    let Some(res) = app.racing_an_uncommitted_insert(holder, request).await else {
        return; // SQLite: writers queue, so the request finds the row (tested below)
    };
    res.problem(409);
    assert_eq!(res.error_fields(), ["key"], "{}", res.text());
}

#[actix_web::test]
async fn invalid_roles_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let post = |body: Value| app.post("/api/v1/roles").token(&token).json(body).send();

    let res = post(json!({"key": "admin", "name": "Again", "permissions": []})).await;
    res.problem(409);
    assert_eq!(res.error_fields(), ["key"]);

    let res = post(json!({"key": "Bad Key!", "name": "", "permissions": []})).await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["key", "name"]);

    let res =
        post(json!({"key": "x_role", "name": "X", "permissions": [grant("clients.fly", "all")]}))
            .await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["permissions[0].permission"]);

    let res =
        post(json!({"key": "x_role", "name": "X", "permissions": [grant("clients.read", "some")]}))
            .await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["permissions[0].scope"]);

    let res = post(json!({"key": "x_role", "name": "X",
        "permissions": [grant("clients.read", "all"), grant("clients.read", "assigned")]}))
    .await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["permissions"]);
}

#[actix_web::test]
async fn a_role_update_replaces_permissions_and_honours_if_match() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let (_, planner) = app.staff("account_planner").await;
    app.post("/api/v1/clients")
        .token(&planner)
        .json(json!({"name": "Initech"}))
        .send()
        .await
        .problem(403);

    let body = json!({"name": "Account planner", "description": "Now also edits clients",
        "permissions": [grant("clients.read", "assigned"), grant("clients.write", "all")]});
    let res = app
        .put("/api/v1/roles/account_planner")
        .token(&token)
        .header("if-match", "\"1\"")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"2\""));
    assert_eq!(res.json()["permissions"].as_array().unwrap().len(), 2);
    assert_eq!(res.json()["built_in"], true);

    let created = app
        .post("/api/v1/clients")
        .token(&planner)
        .json(json!({"name": "Initech"}))
        .send()
        .await;
    assert_eq!(
        created.status, 201,
        "the new grant applies to the next request"
    );
    app.get("/api/v1/staff")
        .token(&planner)
        .send()
        .await
        .problem(403);

    let stale = app
        .put("/api/v1/roles/account_planner")
        .token(&token)
        .header("if-match", "\"1\"")
        .json(body)
        .send()
        .await;
    stale.problem(412);

    let unknown = app
        .put("/api/v1/roles/astronaut")
        .token(&token)
        .json(json!({"name": "X", "permissions": []}))
        .send()
        .await;
    unknown.problem(404);
}

#[actix_web::test]
async fn the_admin_role_cannot_lose_role_administration() {
    let app = TestApp::spawn().await;
    let res = app
        .put("/api/v1/roles/admin")
        .token(&app.admin_token())
        .json(json!({"name": "Administrator", "permissions": [grant("staff.write", "all")]}))
        .send()
        .await;
    res.problem(409);
    let role = app
        .get("/api/v1/roles/admin")
        .token(&app.admin_token())
        .send()
        .await
        .json();
    assert_eq!(role["version"], 1, "the refused change was rolled back");
    assert_eq!(role["permissions"].as_array().unwrap().len(), 22);
}

#[actix_web::test]
async fn role_changes_are_audited() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let res = app
        .put("/api/v1/roles/account_coordinator")
        .token(&token)
        .json(json!({"name": "Coordinator", "permissions": [grant("staff.read", "all")]}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    let events = app
        .get("/api/v1/audit-events?resource_type=roles&resource_id=account_coordinator")
        .token(&token)
        .send()
        .await
        .json();
    let events = events["data"].as_array().unwrap();
    let update = events
        .iter()
        .find(|e| e["action"] == "roles.update")
        .expect("roles.update event");
    assert_eq!(update["actor_id"], app.admin_id);
    assert_eq!(update["changes"]["name"]["before"], "Account coordinator");
    assert_eq!(update["changes"]["name"]["after"], "Coordinator");
    assert!(update["changes"]["permissions"].is_object());
}
