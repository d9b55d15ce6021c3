//! Contracts: each line a contract as `POST /contracts` takes it, the client and account
//! named by id or by `external_ref` within the caller's reach; a contract already there is
//! unchanged when the line says what it says, edited when it is a draft, refused when it
//! is past draft.

use serde_json::json;

use super::*;

/// A client and one of its accounts, each with an `external_ref`, as admin: their ids.
async fn desk(app: &TestApp, client_ref: &str, account_ref: &str) -> (i64, i64) {
    let client = app
        .client(&format!("Client {}", uuid::Uuid::new_v4().simple()))
        .await;
    let client_id = client["id"].as_i64().expect("an id");
    let account = app.account(&client["id"], "Crunch").await;
    let account_id = account["id"].as_i64().expect("an id");
    for (path, external_ref) in [
        (format!("/api/v1/clients/{client_id}"), client_ref),
        (format!("/api/v1/accounts/{account_id}"), account_ref),
    ] {
        let res = app
            .patch(&path)
            .token(&app.admin_token())
            .json(json!({"external_ref": external_ref}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    (client_id, account_id)
}

/// A `POST /contracts` body for the account, over 2026, with `external_ref`.
fn body(client: i64, account: i64, title: &str, external_ref: &str) -> Value {
    json!({
        "client_id": client, "account_id": account, "title": title, "kind": "retainer",
        "start_date": "2026-01-01", "end_date": "2026-12-31",
        "value": {"amount_minor": 24000000, "currency": "EUR"}, "auto_renew": true,
        "notice_days": 90, "renewal_term_months": 12, "external_ref": external_ref
    })
}

/// A contract for the account, active: requested by an account manager of the account,
/// approved by the admin (nobody approves their own request).
async fn signed(
    app: &TestApp,
    client: i64,
    account: i64,
    title: &str,
    external_ref: &str,
) -> Value {
    let (manager_id, manager) = app.staff("account_manager").await;
    app.assign(&json!(account), manager_id).await;
    let draft = app
        .contract(&manager, body(client, account, title, external_ref))
        .await;
    app.activate_contract(&manager, id(&draft)).await
}

/// Every contract, oldest first, as the admin lists them.
async fn contracts(app: &TestApp) -> Vec<Value> {
    let res = app
        .get("/api/v1/contracts?sort=created_at&limit=200")
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["data"].as_array().expect("data").clone()
}

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("an id")
}

/// The actions of a contract's audit trail, oldest first.
async fn trail(app: &TestApp, contract: i64) -> Vec<String> {
    audit_trail(app, "contracts", &contract.to_string())
        .await
        .iter()
        .map(|e| e["action"].as_str().expect("an action").to_owned())
        .collect()
}

#[actix_web::test]
async fn contracts_are_created_from_csv_with_their_client_and_account_by_external_ref() {
    let app = TestApp::spawn().await;
    let (client, account) = desk(&app, "CRM-1", "ACC-1").await;
    let body = "client_external_ref,account_external_ref,title,kind,start_date,end_date,value.amount_minor,value.currency,auto_renew,notice_days,renewal_term_months,external_ref\n\
                CRM-1,ACC-1,Acme retainer 2026,retainer,2026-01-01,2026-12-31,24000000,EUR,true,90,12,SF-1\n\
                CRM-1,,Acme framework,framework,2026-01-01,,0,EUR,false,0,,SF-2\n";
    let res = import(&app, &app.admin_token(), "contracts", CSV, body).await;
    assert_eq!(counts(&res), (2, 0, 0));

    let all = contracts(&app).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let (retainer, framework) = (&all[0], &all[1]);
    assert_eq!(retainer["client_id"], client);
    assert_eq!(retainer["account_id"], account);
    assert_eq!(retainer["status"], "draft");
    assert_eq!(retainer["notice_deadline"], "2026-10-02");
    assert_eq!(
        retainer["value"],
        json!({"amount_minor": 24000000, "currency": "EUR"})
    );
    assert_eq!(retainer["external_ref"], "SF-1");
    // No account: the client as a whole; a framework may be open-ended.
    assert_eq!(framework["client_id"], client);
    assert_eq!(framework["account_id"], Value::Null);
    assert_eq!(framework["end_date"], Value::Null);
    assert_eq!(framework["kind"], "framework");
    // Each was created as `POST /contracts` creates one, with its own event.
    for contract in &all {
        assert_eq!(trail(&app, id(contract)).await, ["contracts.create"]);
    }
}

#[actix_web::test]
async fn contracts_are_created_from_ndjson_by_the_rules_of_a_single_create() {
    let app = TestApp::spawn().await;
    let (client, account) = desk(&app, "CRM-2", "ACC-2").await;
    let (_, elsewhere) = desk(&app, "CRM-3", "ACC-3").await;
    let good = body(client, account, "Acme retainer", "SF-10");
    let body_of = |changes: Value| {
        let mut line = body(client, account, "Another", "SF-11");
        for (key, value) in changes.as_object().expect("an object") {
            line[key] = value.clone();
        }
        line.to_string()
    };
    // Line 1 is fine; each other line breaks one rule of `POST /contracts` or of the
    // import's own columns.
    let lines = [
        good.to_string(),
        body_of(json!({"end_date": "2025-12-31", "external_ref": "SF-12"})),
        body_of(json!({"account_id": elsewhere, "external_ref": "SF-13"})),
        body_of(json!({"client_external_ref": "CRM-3", "external_ref": "SF-14"})),
        body_of(json!({"external_ref": "SF-10"})),
    ];
    let res = import(
        &app,
        &app.admin_token(),
        "contracts",
        NDJSON,
        &lines.join("\n"),
    )
    .await;
    assert_eq!(
        line_errors(&res),
        vec![
            (2, "end_date".to_owned(), "invalid".to_owned()),
            (3, "account_id".to_owned(), "unknown".to_owned()),
            (4, "client_id".to_owned(), "invalid".to_owned()),
            (5, "external_ref".to_owned(), "unique".to_owned()),
        ]
    );
    assert_eq!(res.json()["error_count"], 4);
    // All or nothing: line 1 was not written either.
    assert!(contracts(&app).await.is_empty());

    let res = import(&app, &app.admin_token(), "contracts", NDJSON, &lines[0]).await;
    assert_eq!(counts(&res), (1, 0, 0));
    let all = contracts(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["title"], "Acme retainer");
    assert_eq!(all[0]["account_id"], account);
    assert_eq!(all[0]["renewal_term_months"], 12);
    assert_eq!(all[0]["auto_renew"], true);
}

#[actix_web::test]
async fn a_draft_that_differs_is_updated_and_one_as_it_is_is_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let (client, account) = desk(&app, "CRM-4", "ACC-4").await;
    let first = app
        .contract(&admin, body(client, account, "First", "SF-20"))
        .await;
    let second = app
        .contract(&admin, body(client, account, "Second", "SF-21"))
        .await;
    let (first, second) = (id(&first), id(&second));
    // By id, a new title and end date; the file has no `notice_days` column, so that
    // stays. By external_ref, the second as it is.
    let csv = format!(
        "id,client_id,account_id,title,kind,start_date,end_date,value.amount_minor,value.currency,external_ref\n\
         {first},{client},{account},First revised,retainer,2026-01-01,2027-01-31,24000000,EUR,SF-20\n\
         ,{client},{account},Second,retainer,2026-01-01,2026-12-31,24000000,EUR,SF-21\n"
    );
    let res = import(&app, &admin, "contracts", CSV, &csv).await;
    assert_eq!(counts(&res), (0, 1, 1));

    let all = contracts(&app).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["title"], "First revised");
    assert_eq!(all[0]["end_date"], "2027-01-31");
    assert_eq!(all[0]["notice_days"], 90);
    assert_eq!(all[0]["notice_deadline"], "2026-11-02");
    assert_eq!(all[0]["version"], 2);
    assert_eq!(all[1]["title"], "Second");
    assert_eq!(all[1]["version"], 1);
    // The edit is `PATCH`'s: its event is an update; the unchanged contract has none.
    assert_eq!(
        trail(&app, first).await,
        ["contracts.create", "contracts.update"]
    );
    assert_eq!(trail(&app, second).await, ["contracts.create"]);

    // The same file again changes nothing.
    let res = import(&app, &admin, "contracts", CSV, &csv).await;
    assert_eq!(counts(&res), (0, 0, 2));

    // A draft stays with its client and account; two lines about one contract, or one
    // external_ref twice, clash.
    let (other_client, other_account) = desk(&app, "CRM-5", "ACC-5").await;
    let lines = [
        json!({"id": first, "client_id": other_client, "account_id": other_account,
               "title": "Moved", "kind": "retainer", "start_date": "2026-01-01",
               "end_date": "2026-12-31", "value": {"amount_minor": 1, "currency": "EUR"}}),
        json!({"id": second, "client_id": client, "title": "Client-wide", "account_id": null,
               "kind": "retainer", "start_date": "2026-01-01", "end_date": "2026-12-31",
               "value": {"amount_minor": 1, "currency": "EUR"}}),
        json!({"id": second, "client_id": client, "title": "Twice", "kind": "retainer",
               "start_date": "2026-01-01", "end_date": "2026-12-31",
               "value": {"amount_minor": 1, "currency": "EUR"}}),
        body(client, account, "New", "SF-30"),
        body(client, account, "New again", "SF-30"),
    ];
    let lines: Vec<String> = lines.iter().map(Value::to_string).collect();
    let res = import(&app, &admin, "contracts", NDJSON, &lines.join("\n")).await;
    assert_eq!(
        line_errors(&res),
        vec![
            (1, "client_id".to_owned(), "invalid".to_owned()),
            (2, "account_id".to_owned(), "invalid".to_owned()),
            (3, "id".to_owned(), "duplicate".to_owned()),
            (5, "external_ref".to_owned(), "unique".to_owned()),
        ]
    );
    assert_eq!(contracts(&app).await.len(), 2);
    assert_eq!(trail(&app, second).await, ["contracts.create"]);
}

#[actix_web::test]
async fn a_contract_past_draft_that_differs_is_an_error_line_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let (client, account) = desk(&app, "CRM-6", "ACC-6").await;
    let active = signed(&app, client, account, "Signed", "SF-40").await;
    let active_id = id(&active);
    let before = events(&app).await.len();

    // As it is, an active contract is unchanged: a line need not be a draft to match.
    let same = body(client, account, "Signed", "SF-40");
    let res = import(&app, &admin, "contracts", NDJSON, &same.to_string()).await;
    assert_eq!(counts(&res), (0, 0, 1));

    // Another value is an edit, which only a draft allows; the new line beside it is
    // not created either.
    let mut changed = same.clone();
    changed["value"]["amount_minor"] = json!(25000000);
    let lines = [
        body(client, account, "Brand new", "SF-41").to_string(),
        changed.to_string(),
    ];
    let res = import(&app, &admin, "contracts", NDJSON, &lines.join("\n")).await;
    assert_eq!(
        line_errors(&res),
        vec![(2, "value".to_owned(), "invalid".to_owned())]
    );
    assert_eq!(
        res.json()["errors"][0]["message"],
        format!("contract {active_id} is active; only a draft is edited")
    );
    let all = contracts(&app).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["value"]["amount_minor"], 24000000);
    assert_eq!(all[0]["version"], active["version"]);
    assert_eq!(events(&app).await.len(), before);
}

#[actix_web::test]
async fn a_client_out_of_reach_is_unknown_as_a_missing_one_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let (client, account) = desk(&app, "CRM-MINE", "ACC-MINE").await;
    let (other_client, other_account) = desk(&app, "CRM-OTHER", "ACC-OTHER").await;
    // `contracts.write` in scope `assigned`: the contracts of the accounts one runs.
    let (manager_id, manager) = app.staff("account_manager").await;
    app.assign(&json!(account), manager_id).await;
    let mut by_ref = body(client, account, "Not mine", "SF-52");
    by_ref["client_id"] = Value::Null;
    by_ref["client_external_ref"] = json!("CRM-OTHER");
    by_ref["account_id"] = Value::Null;
    let mut by_account_ref = body(client, account, "Not mine either", "SF-53");
    by_account_ref["account_id"] = Value::Null;
    by_account_ref["account_external_ref"] = json!("ACC-OTHER");
    let lines = [
        body(client, account, "Mine", "SF-50").to_string(),
        body(other_client, other_account, "Not mine", "SF-51").to_string(),
        by_ref.to_string(),
        by_account_ref.to_string(),
        body(client, account, "Mine too", "SF-54").to_string(),
    ];
    let res = import(&app, &manager, "contracts", NDJSON, &lines.join("\n")).await;
    assert_eq!(
        line_errors(&res),
        vec![
            (2, "client_id".to_owned(), "unknown".to_owned()),
            (3, "client_external_ref".to_owned(), "unknown".to_owned()),
            (4, "account_external_ref".to_owned(), "unknown".to_owned()),
        ]
    );
    // Out of reach reads exactly as missing, as for `POST /contracts`.
    let problem = res.json();
    assert_eq!(
        problem["errors"][0]["message"],
        format!("there is no client {other_client}")
    );
    assert_eq!(
        problem["errors"][1]["message"],
        "there is no client with external_ref \"CRM-OTHER\""
    );
    let missing = r#"{"client_external_ref": "CRM-NONE", "title": "T", "kind": "project", "start_date": "2026-01-01", "end_date": "2026-12-31", "value": {"amount_minor": 1, "currency": "EUR"}}"#;
    let res = import(&app, &manager, "contracts", NDJSON, missing).await;
    assert_eq!(
        res.json()["errors"][0]["message"],
        "there is no client with external_ref \"CRM-NONE\""
    );
    assert!(contracts(&app).await.is_empty());

    // Within reach, the same lines go through.
    let mine = [lines[0].clone(), lines[4].clone()].join("\n");
    let res = import(&app, &manager, "contracts", NDJSON, &mine).await;
    assert_eq!(counts(&res), (2, 0, 0));
}

#[actix_web::test]
async fn a_dry_run_counts_what_an_import_would_do_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let (client, account) = desk(&app, "CRM-7", "ACC-7").await;
    let draft = app
        .contract(&admin, body(client, account, "Draft", "SF-60"))
        .await;
    let before = events(&app).await.len();
    let lines = [
        body(client, account, "Draft revised", "SF-60").to_string(),
        body(client, account, "New", "SF-61").to_string(),
    ];
    let res = dry_run(&app, &admin, "contracts", NDJSON, &lines.join("\n")).await;
    assert_eq!(counts(&res), (1, 1, 0));
    assert_eq!(res.json()["dry_run"], true);
    let all = contracts(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["title"], "Draft");
    assert_eq!(all[0]["version"], draft["version"]);
    assert_eq!(events(&app).await.len(), before);
}

#[actix_web::test]
async fn an_export_sent_back_is_all_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let (client, account) = desk(&app, "CRM-8", "ACC-8").await;
    app.contract(&admin, body(client, account, "Draft", "SF-70"))
        .await;
    let framework = json!({
        "client_id": client, "title": "Framework, \"open\"", "kind": "framework",
        "start_date": "2026-01-01", "value": {"amount_minor": 0, "currency": "EUR"}
    });
    app.contract(&admin, framework).await;
    signed(&app, client, account, "Signed", "SF-71").await;
    let before = events(&app).await.len();

    let export = app
        .get("/api/v1/contracts")
        .token(&admin)
        .header("Accept", "text/csv")
        .send()
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let header = export.text().lines().next().expect("a header").to_owned();
    for column in [
        "status",
        "lifecycle",
        "notice_deadline",
        "approval_id",
        "version",
    ] {
        assert!(header.split(',').any(|c| c == column), "{header}");
    }
    let res = import(&app, &admin, "contracts", CSV, &export.text()).await;
    assert_eq!(counts(&res), (0, 0, 3));
    assert_eq!(events(&app).await.len(), before);
}
