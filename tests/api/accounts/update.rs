//! Update.

use super::*;

#[actix_web::test]
async fn patch_changes_only_the_fields_given_and_null_clears() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = create(
        &app,
        json!({
            "client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000),
            "payment_approval_threshold": eur(100), "external_ref": "PRJ-1",
        }),
    )
    .await
    .json();
    let res = patch(&app, &account, json!({"budget": null, "status": "paused"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let updated = res.json();
    assert_eq!(updated["budget"], Value::Null);
    assert_eq!(updated["status"], "paused");
    assert_eq!(updated["name"], "Acme Snacks");
    assert_eq!(updated["payment_approval_threshold"], eur(100));
    assert_eq!(updated["external_ref"], "PRJ-1");
    assert_eq!(updated["manager_id"], app.admin_id);
    assert_eq!(updated["client_id"], client["id"]);
    assert_eq!(updated["created_at"], account["created_at"]);
    assert_eq!(
        get(&app, &app.admin_token(), &account).await.json(),
        updated
    );
}

#[actix_web::test]
async fn patch_replaces_money_whole() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(1000)}),
    )
    .await
    .json();
    let res = patch(
        &app,
        &account,
        json!({"budget": {"amount_minor": 2500, "currency": "GBP"}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["budget"],
        json!({"amount_minor": 2500, "currency": "GBP"})
    );
    // Money is one value: half of it is not a patch of the other half.
    let res = patch(&app, &account, json!({"budget": {"amount_minor": 1}})).await;
    assert_invalid(&res, "budget.currency", "required");
}

#[actix_web::test]
async fn patch_may_change_the_manager_and_clear_it() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (manager_id, _) = app.staff("account_manager").await;
    let res = patch(&app, &account, json!({"manager_id": manager_id})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["manager_id"], manager_id);
    let res = patch(&app, &account, json!({"manager_id": null})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["manager_id"], Value::Null);
}

#[actix_web::test]
async fn patch_to_an_inactive_or_unknown_manager_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (manager_id, _) = app.staff("account_manager").await;
    deactivate(&app, manager_id).await;
    let res = patch(&app, &account, json!({"manager_id": manager_id})).await;
    assert_invalid(&res, "manager_id", "inactive");
    let res = patch(&app, &account, json!({"manager_id": 999_999})).await;
    assert_invalid(&res, "manager_id", "unknown");
    let stored = get(&app, &app.admin_token(), &account).await.json();
    assert_eq!(stored["manager_id"], app.admin_id);
    assert_eq!(stored["version"], 1);
}

#[actix_web::test]
async fn an_account_whose_manager_left_can_still_be_edited() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, _) = app.staff("account_manager").await;
    let account = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "manager_id": manager_id}),
    )
    .await
    .json();
    deactivate(&app, manager_id).await;
    let res = patch(&app, &account, json!({"budget": eur(5000)})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["manager_id"], manager_id);
}

#[actix_web::test]
async fn closing_an_account_is_a_status_change() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({"status": "closed"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["status"], "closed");
    let read = get(&app, &app.admin_token(), &account).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["status"], "closed");
    assert_eq!(
        names(&list(&app, "status=closed").await.json()),
        ["Acme Snacks"]
    );
}

#[actix_web::test]
async fn patch_increments_the_version_and_etag() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({"budget": eur(1)})).await;
    assert_eq!(res.json()["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let res = patch(&app, &account, json!({"budget": eur(2)})).await;
    assert_eq!(res.json()["version"], 3);
    assert_eq!(res.header("etag"), Some("\"3\""));
    let read = get(&app, &app.admin_token(), &account).await;
    assert_eq!(read.header("etag"), Some("\"3\""));
}

#[actix_web::test]
async fn empty_patch_is_200_and_keeps_the_version() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = patch(&app, &account, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), account);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let res = patch(
        &app,
        &account,
        json!({"name": "Acme Snacks", "status": "active"}),
    )
    .await;
    assert_eq!(res.json()["version"], 1, "the same values change nothing");
}

#[actix_web::test]
async fn patch_of_an_unknown_account_is_404() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(&format!("{ACCOUNTS}/999999"))
        .token(&app.admin_token())
        .json(json!({"status": "paused"}))
        .send()
        .await;
    res.problem(404);
}

#[actix_web::test]
async fn concurrent_patches_with_one_etag_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let url = account_url(&account["id"]);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.patch(&url)
            .token(&token)
            .header("if-match", "\"1\"")
            .json(json!({"budget": eur(i)}))
            .send()
    }))
    .await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412]);
    let events = audit_trail(&app, "accounts", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.update"]);
}
