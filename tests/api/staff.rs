use serde_json::{json, Value};

use crate::helpers::*;

fn new_staff(email: &str, role: &str) -> Value {
    json!({"email": email, "full_name": "Anna Verdi", "role": role, "password": STAFF_PASSWORD})
}

async fn create(app: &TestApp, body: Value) -> Resp {
    app.post("/api/v1/staff")
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

#[actix_web::test]
async fn create_returns_the_member_without_the_password() {
    let app = TestApp::spawn().await;
    let res = create(
        &app,
        new_staff("Anna.Verdi@Agency.Example", "account_executive"),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let body = res.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/staff/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(body["email"], "anna.verdi@agency.example");
    assert_eq!(body["role"], "account_executive");
    assert_eq!(body["active"], true);
    assert!(body.get("password").is_none() && body.get("password_hash").is_none());
    assert!(!res.text().contains("argon2"));

    let got = app
        .get(&format!("/api/v1/staff/{id}"))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(got.json(), body);
    assert_eq!(got.header("etag"), Some("\"1\""));
}

#[actix_web::test]
async fn the_new_member_can_sign_in() {
    let app = TestApp::spawn().await;
    create(&app, new_staff("planner@agency.example", "account_planner")).await;
    let res = app
        .post("/api/v1/auth/token")
        .json(json!({"email": "planner@agency.example", "password": STAFF_PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn a_duplicate_email_is_409_on_the_email_field() {
    let app = TestApp::spawn().await;
    create(&app, new_staff("dup@agency.example", "account_executive")).await;
    let res = create(&app, new_staff("DUP@agency.example", "account_manager")).await;
    res.problem(409);
    assert_eq!(res.error_fields(), ["email"]);
}

/// Two creates of one email at once (two instances, say): the one that finds the email
/// free but loses the race at the write is still the 409 on the field.
#[actix_web::test]
async fn an_email_taken_by_a_concurrent_create_is_409_on_the_email_field() {
    let app = TestApp::spawn().await;
    let holder =
        "INSERT INTO staff (email, full_name, role, password_hash, created_at, updated_at) \
                  VALUES ('race@agency.example', 'Other', 'account_executive', 'x', now(), now())";
    let request = create(&app, new_staff("race@agency.example", "account_executive"));
    let Some(res) = app.racing_an_uncommitted_insert(holder, request).await else {
        return; // SQLite: writers queue, so the request finds the row (tested above)
    };
    res.problem(409);
    assert_eq!(res.error_fields(), ["email"], "{}", res.text());
}

#[actix_web::test]
async fn invalid_fields_are_422_with_each_field_named() {
    let app = TestApp::spawn().await;
    let res = create(
        &app,
        json!({"email": "not-an-email", "full_name": " ", "role": "admin", "password": "short"}),
    )
    .await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["email", "full_name", "password"]);

    let res = create(&app, new_staff("x@agency.example", "astronaut")).await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["role"]);

    let mut body = new_staff("y@agency.example", "account_executive");
    body["reports_to"] = json!(424242);
    let res = create(&app, body).await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["reports_to"]);
}

#[actix_web::test]
async fn get_of_an_unknown_member_is_404() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/staff/999999")
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn list_filters_and_paginates() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        create(
            &app,
            new_staff(&format!("exec{i}@agency.example"), "account_executive"),
        )
        .await;
    }
    create(&app, new_staff("manager@agency.example", "account_manager")).await;

    let token = app.admin_token();
    let page = app
        .get("/api/v1/staff?role=account_executive&limit=2")
        .token(&token)
        .send()
        .await;
    assert_eq!(page.status, 200);
    let body = page.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert!(page
        .header("link")
        .is_some_and(|l| l.contains("rel=\"next\"")));

    let mut seen = Vec::new();
    let mut url = "/api/v1/staff?role=account_executive&limit=2&sort=email".to_owned();
    loop {
        let body = app.get(&url).token(&token).send().await.json();
        seen.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["email"].as_str().unwrap().to_owned()),
        );
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                url = format!(
                    "/api/v1/staff?role=account_executive&limit=2&sort=email&cursor={cursor}"
                )
            }
            None => break,
        }
    }
    let expected: Vec<String> = (0..5).map(|i| format!("exec{i}@agency.example")).collect();
    assert_eq!(seen, expected);

    let found = app
        .get("/api/v1/staff?q=MANAGER@")
        .token(&token)
        .send()
        .await
        .json();
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    let inactive = app
        .get("/api/v1/staff?active=false")
        .token(&token)
        .send()
        .await
        .json();
    assert_eq!(inactive["data"].as_array().unwrap().len(), 0);
    app.get("/api/v1/staff?sort=salary")
        .token(&token)
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn patch_changes_role_and_reporting_line_under_if_match() {
    let app = TestApp::spawn().await;
    let (manager, _) = app.staff("account_manager").await;
    let (exec, _) = app.staff("account_executive").await;
    let token = app.admin_token();
    let res = app
        .patch(&format!("/api/v1/staff/{exec}"))
        .token(&token)
        .header("if-match", "\"1\"")
        .json(json!({"role": "account_planner", "reports_to": manager, "full_name": "Renamed"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["role"], "account_planner");
    assert_eq!(body["reports_to"], manager);
    assert_eq!(body["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));

    let stale = app
        .patch(&format!("/api/v1/staff/{exec}"))
        .token(&token)
        .header("if-match", "\"1\"")
        .json(json!({"full_name": "Again"}))
        .send()
        .await;
    stale.problem(412);

    let cleared = app
        .patch(&format!("/api/v1/staff/{exec}"))
        .token(&token)
        .json(json!({"reports_to": null}))
        .send()
        .await;
    assert_eq!(cleared.json()["reports_to"], Value::Null);

    let unknown_role = app
        .patch(&format!("/api/v1/staff/{exec}"))
        .token(&token)
        .json(json!({"role": "astronaut"}))
        .send()
        .await;
    unknown_role.problem(422);
    assert_eq!(unknown_role.error_fields(), ["role"]);
}

#[actix_web::test]
async fn a_reporting_line_cannot_form_a_cycle() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let (a, _) = app.staff("account_director").await;
    let (b, _) = app.staff("account_manager").await;
    let (c, _) = app.staff("account_executive").await;
    let set = |id: i64, manager: i64| {
        app.patch(&format!("/api/v1/staff/{id}"))
            .token(&token)
            .json(json!({"reports_to": manager}))
            .send()
    };
    assert_eq!(set(b, a).await.status, 200);
    assert_eq!(set(c, b).await.status, 200);

    let res = set(a, c).await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["reports_to"]);
    let res = set(a, a).await;
    res.problem(422);
}

#[actix_web::test]
async fn the_last_administrator_cannot_be_deactivated_or_demoted() {
    let app = TestApp::spawn().await;
    let path = format!("/api/v1/staff/{}", app.admin_id);
    // The last admin may not lock everybody out by deactivating themselves.
    app.patch(&path)
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await
        .problem(409);
    // Nobody below an admin may demote or deactivate one (see escalation.rs).
    let (_, director) = app.staff("account_director").await;
    for body in [
        json!({"active": false}),
        json!({"role": "account_director"}),
    ] {
        app.patch(&path)
            .token(&director)
            .json(body)
            .send()
            .await
            .problem(403);
    }

    // With a second admin, the second may demote the first.
    let (_, token) = app.staff("admin").await;
    let res = app
        .patch(&path)
        .token(&token)
        .json(json!({"role": "account_director"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn me_lists_the_callers_effective_permissions() {
    let app = TestApp::spawn().await;
    let (id, token) = app.staff("account_executive").await;
    let res = app.get("/api/v1/me").token(&token).send().await;
    assert_eq!(res.status, 200);
    let me = res.json();
    assert_eq!(me["id"], id);
    assert_eq!(me["role"], "account_executive");
    let role = app
        .get("/api/v1/roles/account_executive")
        .token(&token)
        .send()
        .await
        .json();
    assert_eq!(me["permissions"], role["permissions"]);
    let grants = me["permissions"].as_array().unwrap();
    assert!(grants.contains(&json!({"permission": "clients.health", "scope": "assigned"})));
    assert!(!grants.iter().any(|g| g["permission"] == "clients.write"));
}

#[actix_web::test]
async fn a_role_change_applies_to_the_next_request() {
    let app = TestApp::spawn().await;
    let (id, token) = app.staff("account_coordinator").await;
    app.get("/api/v1/audit-events")
        .token(&token)
        .send()
        .await
        .problem(403);
    app.patch(&format!("/api/v1/staff/{id}"))
        .token(&app.admin_token())
        .json(json!({"role": "account_director"}))
        .send()
        .await;
    assert_eq!(
        app.get("/api/v1/audit-events")
            .token(&token)
            .send()
            .await
            .status,
        200
    );
}
