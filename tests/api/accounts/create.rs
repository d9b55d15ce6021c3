//! Create and read.

use super::*;

#[actix_web::test]
async fn create_answers_201_with_location_etag_and_defaults() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let account = res.json();
    let id = account["id"].as_i64().expect("id");
    assert_eq!(
        res.header("location"),
        Some(format!("{ACCOUNTS}/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(account["client_id"], client["id"]);
    assert_eq!(account["name"], "Acme Snacks");
    assert_eq!(account["status"], "active");
    assert_eq!(account["manager_id"], app.admin_id, "the caller manages it");
    assert_eq!(account["budget"], Value::Null);
    assert_eq!(account["payment_approval_threshold"], Value::Null);
    assert_eq!(account["external_ref"], Value::Null);
    assert_eq!(account["version"], 1);
    assert!(account["created_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert_eq!(account["created_at"], account["updated_at"]);
    assert_eq!(
        account["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    let keys: BTreeSet<&str> = account
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "allowed_actions",
            "budget",
            "client_id",
            "created_at",
            "external_ref",
            "id",
            "manager_id",
            "name",
            "payment_approval_threshold",
            "status",
            "updated_at",
            "version",
        ])
    );
}

#[actix_web::test]
async fn create_stores_money_as_amount_minor_and_currency() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, _) = app.staff("account_manager").await;
    let input = json!({
        "client_id": client["id"],
        "name": "Acme Snacks",
        "status": "paused",
        "manager_id": manager_id,
        "budget": {"amount_minor": 25_000_000, "currency": "EUR"},
        "payment_approval_threshold": {"amount_minor": 500_000, "currency": "USD"},
        "external_ref": "PRJ-7781",
    });
    let res = create(&app, input.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let account = res.json();
    for (field, value) in input.as_object().unwrap() {
        assert_eq!(&account[field], value, "{field}");
    }
}

#[actix_web::test]
async fn create_accepts_a_zero_budget() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "Pro bono", "budget": eur(0)}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["budget"], eur(0));
}

#[actix_web::test]
async fn create_trims_the_name() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = create(
        &app,
        json!({"client_id": client["id"], "name": "  Acme Snacks \t"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["name"], "Acme Snacks");
}

#[actix_web::test]
async fn get_returns_the_created_account_with_the_same_etag() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let created = create(
        &app,
        json!({"client_id": client["id"], "name": "Acme Snacks", "budget": eur(100)}),
    )
    .await;
    let account = created.json();
    let res = get(&app, &app.admin_token(), &account).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), account);
    assert_eq!(res.header("etag"), created.header("etag"));
}

#[actix_web::test]
async fn a_manager_creating_an_account_manages_it_and_may_do_everything_with_it() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, manager) = app.staff("account_manager").await;
    // A manager may only open accounts for a client they already work for.
    app.assign_to_client(&client["id"], manager_id).await;
    let res = app
        .post(ACCOUNTS)
        .token(&manager)
        .json(json!({"client_id": client["id"], "name": "Acme Drinks"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let account = res.json();
    assert_eq!(account["manager_id"], manager_id);
    assert_eq!(
        account["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    let read = get(&app, &manager, &account).await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(
        read.json()["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
}

#[actix_web::test]
async fn an_executive_on_the_team_reads_the_account_with_no_allowed_actions() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (executive_id, executive) = app.staff("account_executive").await;
    app.assign(&account["id"], executive_id).await;
    let res = get(&app, &executive, &account).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!([]));
}

#[actix_web::test]
async fn an_executive_may_read_accounts_and_teams_but_not_change_them() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (executive_id, executive) = app.staff("account_executive").await;
    app.assign(&account["id"], executive_id).await;

    let res = app
        .get(&team_url(&account["id"]))
        .token(&executive)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let refused = [
        app.post(ACCOUNTS)
            .token(&executive)
            .json(json!({"client_id": client["id"], "name": "Acme Drinks"}))
            .send()
            .await,
        app.patch(&account_url(&account["id"]))
            .token(&executive)
            .json(json!({"status": "paused"}))
            .send()
            .await,
        app.delete(&account_url(&account["id"]))
            .token(&executive)
            .send()
            .await,
        app.put(&member_url(&account["id"], executive_id))
            .token(&executive)
            .json(json!({"role_on_account": "lead"}))
            .send()
            .await,
        app.delete(&member_url(&account["id"], executive_id))
            .token(&executive)
            .send()
            .await,
    ];
    for res in refused {
        res.problem(403);
    }
    assert_eq!(
        get(&app, &app.admin_token(), &account).await.json()["version"],
        1
    );
}

#[actix_web::test]
async fn get_of_an_unknown_or_malformed_id_is_404() {
    let app = TestApp::spawn().await;
    for path in ["999999", "abc", "1.5", "99999999999999999999999"] {
        app.get(&format!("{ACCOUNTS}/{path}"))
            .token(&app.admin_token())
            .send()
            .await
            .problem(404);
    }
}
