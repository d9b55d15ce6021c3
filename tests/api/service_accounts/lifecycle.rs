//! Rotation and deactivation take effect on the next request; the audit trail names the
//! service account as the actor of what it writes; `/staff/{id}` edits it as the same row.

use serde_json::json;

use super::{assert_invalid_client, grant, token_of};
use crate::helpers::*;

#[actix_web::test]
async fn after_a_rotation_the_old_secret_is_refused_and_the_new_one_works() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    let before = app
        .get(&format!("/api/v1/service-accounts/{}", account.id))
        .token(&app.admin_token())
        .send()
        .await;
    let res = app
        .post(&format!(
            "/api/v1/service-accounts/{}/rotate-secret",
            account.id
        ))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let rotated = res.json();
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, account.client_secret);
    assert_eq!(rotated["client_id"].as_str().unwrap(), account.client_id);
    assert_ne!(res.header("etag"), before.header("etag"), "a new version");

    assert_invalid_client(&grant(&app, &account.client_id, &account.client_secret).await);
    let res = grant(&app, &account.client_id, new_secret).await;
    assert_eq!(res.status, 200, "{}", res.text());

    let audit = app
        .get(&format!(
            "/api/v1/audit-events?resource_type=service_accounts&resource_id={}&sort=-occurred_at",
            account.id
        ))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(
        audit.json()["data"][0]["action"],
        "service_accounts.rotate_secret"
    );
    assert!(!audit.text().contains(new_secret));
}

#[actix_web::test]
async fn deactivation_fails_an_issued_token_on_the_next_request_and_issues_no_new_one() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    let token = token_of(&app, &account).await;
    assert_eq!(app.get("/api/v1/me").token(&token).send().await.status, 200);

    let res = app
        .patch(&format!("/api/v1/service-accounts/{}", account.id))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["active"], false);

    app.get("/api/v1/me")
        .token(&token)
        .send()
        .await
        .problem(401);
    assert_invalid_client(&grant(&app, &account.client_id, &account.client_secret).await);

    // Active again, the same credentials work.
    let res = app
        .patch(&format!("/api/v1/service-accounts/{}", account.id))
        .token(&app.admin_token())
        .json(json!({"active": true}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    token_of(&app, &account).await;
}

#[actix_web::test]
async fn the_audit_trail_names_the_service_account_as_actor_of_its_writes() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_director").await;
    let token = token_of(&app, &account).await;
    let res = app
        .post("/api/v1/clients")
        .token(&token)
        .json(json!({"name": "Imported by the sync"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let client = res.json()["id"].as_i64().unwrap();
    let events = app
        .get(&format!(
            "/api/v1/audit-events?resource_type=clients&resource_id={client}"
        ))
        .token(&app.admin_token())
        .send()
        .await
        .json();
    assert_eq!(events["data"][0]["action"], "clients.create");
    assert_eq!(events["data"][0]["actor_id"], account.id);
}

#[actix_web::test]
async fn an_update_needs_the_current_tag_and_renames_changes_role_and_state() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_coordinator").await;
    let path = format!("/api/v1/service-accounts/{}", account.id);
    let current = app.get(&path).token(&app.admin_token()).send().await;
    let tag = current.header("etag").unwrap().to_owned();
    let res = app
        .patch(&path)
        .token(&app.admin_token())
        .header("if-match", &tag)
        .json(json!({"name": "  Project tool  ", "role": "account_executive"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let updated = res.json();
    assert_eq!(updated["name"], "Project tool");
    assert_eq!(updated["role"], "account_executive");
    let stale = app
        .patch(&path)
        .token(&app.admin_token())
        .header("if-match", &tag)
        .json(json!({"name": "Again"}))
        .send()
        .await;
    stale.problem(412);
    let unknown_role = app
        .patch(&path)
        .token(&app.admin_token())
        .json(json!({"role": "no_such_role"}))
        .send()
        .await;
    unknown_role.problem(422);
}

/// `/staff/{id}` edits the same row by the same rules: nothing it can change touches the
/// credentials, so a renamed or re-roled service account keeps working, and deactivating
/// it there stops it as well.
#[actix_web::test]
async fn the_staff_patch_edits_a_service_account_without_breaking_it() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_coordinator").await;
    let res = app
        .patch(&format!("/api/v1/staff/{}", account.id))
        .token(&app.admin_token())
        .json(json!({"full_name": "Renamed via staff", "role": "account_executive"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["kind"], "service");
    let seen = app
        .get(&format!("/api/v1/service-accounts/{}", account.id))
        .token(&app.admin_token())
        .send()
        .await
        .json();
    assert_eq!(seen["name"], "Renamed via staff");
    assert_eq!(seen["role"], "account_executive");
    let token = token_of(&app, &account).await;

    let res = app
        .patch(&format!("/api/v1/staff/{}", account.id))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    app.get("/api/v1/me")
        .token(&token)
        .send()
        .await
        .problem(401);
    assert_invalid_client(&grant(&app, &account.client_id, &account.client_secret).await);
}
