//! Nobody gives a role, permission or scope beyond their own, and nobody changes their own
//! role: `staff.write` or `roles.write` must not lead to every other permission. Derived
//! from the roles as served, so a new or edited role is covered by construction.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::helpers::*;

/// A role holding `staff.write` with little else: the narrowest way to manage staff.
async fn staff_clerk(app: &TestApp) {
    app.role(
        "staff_clerk",
        json!([
            {"permission": "staff.read", "scope": "all"},
            {"permission": "staff.write", "scope": "all"},
            {"permission": "roles.read", "scope": "all"},
            {"permission": "clients.read", "scope": "assigned"},
        ]),
    )
    .await;
}

/// Each role's grants as `permission → scope`.
async fn grants_by_role(app: &TestApp) -> HashMap<String, HashMap<String, String>> {
    let res = app
        .get("/api/v1/roles")
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200);
    res.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|role| {
            let grants = role["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| {
                    let text = |k: &str| g[k].as_str().unwrap().to_owned();
                    (text("permission"), text("scope"))
                })
                .collect();
            (role["key"].as_str().unwrap().to_owned(), grants)
        })
        .collect()
}

/// Whether every grant of `wanted` is held in `held` at the same or a wider scope.
fn within(held: &HashMap<String, String>, wanted: &HashMap<String, String>) -> bool {
    wanted.iter().all(|(permission, scope)| {
        held.get(permission)
            .is_some_and(|h| h == "all" || scope == "assigned")
    })
}

fn assert_denied(res: &Resp, rule: &str) {
    let problem = res.problem(403);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(rule), "detail names the rule: {detail}");
}

#[actix_web::test]
async fn staff_write_holders_give_exactly_the_roles_within_their_own_grants() {
    let app = TestApp::spawn().await;
    staff_clerk(&app).await;
    let roles = grants_by_role(&app).await;
    let mut holders: Vec<&String> = roles
        .iter()
        .filter(|(_, grants)| grants.contains_key("staff.write"))
        .map(|(key, _)| key)
        .collect();
    holders.sort();
    assert_eq!(holders, ["account_director", "admin", "staff_clerk"]);

    let mut refused = 0;
    for holder in holders {
        let (holder_id, token) = app.staff(holder).await;
        // Starts in a role every holder may give, so no refused role is already its own.
        let (target, _) = app.staff("staff_clerk").await;
        for (role, wanted) in &roles {
            let allowed = within(&roles[holder], wanted);
            let created = app
                .post("/api/v1/staff")
                .token(&token)
                .json(json!({
                    "email": format!("{holder}.gives.{role}@suits.test"),
                    "full_name": "New hire",
                    "role": role,
                    "password": STAFF_PASSWORD,
                }))
                .send()
                .await;
            let changed = app
                .patch(&format!("/api/v1/staff/{target}"))
                .token(&token)
                .json(json!({"role": role}))
                .send()
                .await;
            if allowed {
                assert_eq!(
                    created.status,
                    201,
                    "{holder} creates a {role}: {}",
                    created.text()
                );
                assert_eq!(
                    changed.status,
                    200,
                    "{holder} makes a {role}: {}",
                    changed.text()
                );
                assert_eq!(changed.json()["role"], json!(role));
            } else {
                refused += 1;
                assert_denied(&created, "exceed their own");
                assert_denied(&changed, "exceed their own");
            }
            let own = app
                .patch(&format!("/api/v1/staff/{holder_id}"))
                .token(&token)
                .json(json!({"role": role}))
                .send()
                .await;
            if role == holder {
                assert_eq!(own.status, 200, "naming one's own role again is no change");
            } else {
                assert_denied(&own, "own role");
            }
        }
        let me = app.get("/api/v1/me").token(&token).send().await.json();
        assert_eq!(me["role"], json!(holder), "the holder's role never changed");
    }
    // The director may not give admin (roles.write); the clerk may give only its own role.
    assert_eq!(refused, 1 + 6);
}

#[actix_web::test]
async fn nobody_demotes_or_deactivates_someone_whose_role_exceeds_their_own() {
    let app = TestApp::spawn().await;
    let (_, director) = app.staff("account_director").await;
    let (admin, _) = app.staff("admin").await;
    let (executive, _) = app.staff("account_executive").await;
    let patch = |id: i64, body: Value, token: String| {
        let req = app
            .patch(&format!("/api/v1/staff/{id}"))
            .token(&token)
            .json(body);
        async move { req.send().await }
    };
    for body in [
        json!({"role": "account_coordinator"}),
        json!({"active": false}),
    ] {
        let res = patch(admin, body, director.clone()).await;
        assert_denied(&res, "exceeds their own");
        assert!(res.text().contains("roles.write (all)"), "{}", res.text());
    }
    let stored = app
        .get(&format!("/api/v1/staff/{admin}"))
        .token(&app.admin_token())
        .send()
        .await
        .json();
    assert_eq!(
        (stored["role"].as_str(), stored["active"].as_bool()),
        (Some("admin"), Some(true))
    );
    // Within their own reach, a director manages staff as before; an admin, a director.
    let res = patch(executive, json!({"active": false}), director.clone()).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let (other_director, _) = app.staff("account_director").await;
    let res = patch(
        other_director,
        json!({"role": "account_manager"}),
        app.admin_token(),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn the_reported_escalation_is_closed() {
    let app = TestApp::spawn().await;
    let (director, token) = app.staff("account_director").await;
    let res = app
        .patch(&format!("/api/v1/staff/{director}"))
        .token(&token)
        .json(json!({"role": "admin"}))
        .send()
        .await;
    assert_denied(&res, "own role");
    let res = app
        .post("/api/v1/staff")
        .token(&token)
        .json(
            json!({"email": "sock.puppet@suits.test", "full_name": "Sock puppet",
                     "role": "admin", "password": STAFF_PASSWORD}),
        )
        .send()
        .await;
    let problem = res.problem(403);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("roles.write (all)"));
    let res = app
        .post("/api/v1/roles")
        .token(&token)
        .json(json!({"key": "mine", "name": "Mine", "permissions": [
            {"permission": "roles.write", "scope": "all"}]}))
        .send()
        .await;
    res.problem(403);
    // Nothing was written on the way.
    let staff = app
        .get("/api/v1/staff?limit=200")
        .token(&token)
        .send()
        .await
        .json();
    assert_eq!(staff["data"].as_array().unwrap().len(), 2);
    let me = app.get("/api/v1/me").token(&token).send().await.json();
    assert_eq!(me["role"], "account_director");
}

#[actix_web::test]
async fn roles_write_holders_grant_nothing_beyond_their_own() {
    let app = TestApp::spawn().await;
    app.role(
        "role_keeper",
        json!([
            {"permission": "roles.read", "scope": "all"},
            {"permission": "roles.write", "scope": "all"},
            {"permission": "clients.read", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, token) = app.staff("role_keeper").await;
    let create = |key: &str, grants: Value| {
        app.post("/api/v1/roles")
            .token(&token)
            .json(json!({"key": key, "name": key, "permissions": grants}))
    };

    // A wider scope, and a permission not held at all.
    let res = create(
        "wider",
        json!([{"permission": "clients.read", "scope": "all"}]),
    )
    .send()
    .await;
    assert_denied(&res, "clients.read (all)");
    let res = create(
        "other",
        json!([{"permission": "audit.read", "scope": "assigned"}]),
    )
    .send()
    .await;
    assert_denied(&res, "audit.read (assigned)");
    // Within: the same grants at the same or a narrower scope.
    let res = create(
        "narrower",
        json!([{"permission": "clients.read", "scope": "assigned"},
               {"permission": "roles.read", "scope": "assigned"}]),
    )
    .send()
    .await;
    assert_eq!(res.status, 201, "{}", res.text());

    // Raising one's own role, and stripping a role that reaches further, are both refused.
    let res = app
        .put("/api/v1/roles/role_keeper")
        .token(&token)
        .json(json!({"name": "Role keeper", "permissions": [
            {"permission": "roles.write", "scope": "all"},
            {"permission": "staff.write", "scope": "all"}]}))
        .send()
        .await;
    assert_denied(&res, "staff.write (all)");
    let res = app
        .put("/api/v1/roles/admin")
        .token(&token)
        .json(json!({"name": "Administrator", "permissions": []}))
        .send()
        .await;
    assert_denied(&res, "role \"admin\" holds");
    let admin = app
        .get("/api/v1/roles/admin")
        .token(&token)
        .send()
        .await
        .json();
    assert_eq!(admin["permissions"].as_array().unwrap().len(), 22);
}
