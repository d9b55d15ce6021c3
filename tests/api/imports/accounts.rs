//! Accounts: the client named by id or by `external_ref`, within the caller's reach as
//! for a create; an account stays with its client.

use serde_json::json;

use super::*;

async fn client_with_ref(app: &TestApp, name: &str, external_ref: &str) -> Value {
    let res = app
        .post("/api/v1/clients")
        .token(&app.admin_token())
        .json(json!({"name": name, "external_ref": external_ref}))
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 201, "{}", res.text());
    res.json()
}

async fn accounts(app: &TestApp) -> Vec<Value> {
    let res = app
        .get("/api/v1/accounts?sort=name")
        .token(&app.admin_token())
        .send()
        .await;
    res.json()["data"].as_array().expect("data").clone()
}

#[actix_web::test]
async fn accounts_are_created_under_a_client_named_by_id_or_external_ref() {
    let app = TestApp::spawn().await;
    let acme = client_with_ref(&app, "Acme", "ACC-1").await;
    let body = format!(
        "client_id,client_external_ref,name,budget.amount_minor,budget.currency,external_ref\n\
         {},,Snacks,2500,EUR,PRJ-1\n\
         ,ACC-1,Drinks,,,\n",
        acme["id"]
    );
    let res = import(&app, &app.admin_token(), "accounts", CSV, &body).await;
    assert_eq!(counts(&res), (2, 0, 0));
    let all = accounts(&app).await;
    assert_eq!(all[0]["name"], "Drinks");
    assert_eq!(all[0]["client_id"], acme["id"]);
    assert_eq!(all[0]["budget"], Value::Null);
    assert_eq!(
        all[1]["budget"],
        json!({"amount_minor": 2500, "currency": "EUR"})
    );
    // The importer manages what they create, as with POST /accounts.
    assert!(all[1]["manager_id"].as_i64().is_some());
    let trail = audit_trail(&app, "accounts", &all[1]["id"].to_string()).await;
    assert_eq!(trail[0]["action"], "accounts.create");

    // Again, by external_ref: the budget changes, the rest stays.
    let body = "client_external_ref,name,budget.amount_minor,budget.currency,external_ref\n\
                ACC-1,Snacks,3000,EUR,PRJ-1\n";
    let res = import(&app, &app.admin_token(), "accounts", CSV, body).await;
    assert_eq!(counts(&res), (0, 1, 0));
    let all = accounts(&app).await;
    assert_eq!(all[1]["budget"]["amount_minor"], 3000);
}

#[actix_web::test]
async fn an_account_of_a_client_out_of_scope_is_an_error_line_as_if_unknown() {
    let app = TestApp::spawn().await;
    let mine = client_with_ref(&app, "Mine", "MINE").await;
    let theirs = client_with_ref(&app, "Theirs", "THEIRS").await;
    let account = app.account(&mine["id"], "Mine's account").await;
    let (manager, token) = app.staff("account_manager").await;
    app.assign(&account["id"], manager).await;
    let body = format!(
        "client_id,client_external_ref,name\n\
         {},,Fine\n\
         {},,Hidden by id\n\
         ,THEIRS,Hidden by reference\n\
         ,NOBODY,Missing\n\
         999999,,Missing by id\n",
        mine["id"], theirs["id"]
    );
    let res = import(&app, &token, "accounts", CSV, &body).await;
    assert_eq!(
        line_errors(&res),
        [
            (3, "client_id".to_owned(), "unknown".to_owned()),
            (4, "client_external_ref".to_owned(), "unknown".to_owned()),
            (5, "client_external_ref".to_owned(), "unknown".to_owned()),
            (6, "client_id".to_owned(), "unknown".to_owned()),
        ]
    );
    let problem = res.json();
    // Out of scope reads exactly as missing.
    assert_eq!(
        problem["errors"][0]["message"],
        format!("there is no client {}", theirs["id"])
    );
    assert_eq!(
        problem["errors"][1]["message"],
        "there is no client with external_ref \"THEIRS\""
    );
    assert_eq!(
        problem["errors"][2]["message"],
        "there is no client with external_ref \"NOBODY\""
    );
    assert_eq!(accounts(&app).await.len(), 1, "nothing written");
}

#[actix_web::test]
async fn an_account_stays_with_its_client_and_names_stay_unique_within_it() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    let snacks = app.account(&acme["id"], "Snacks").await;
    let body = format!(
        "id,client_id,name\n{},{},Snacks\n,{},snacks\n,{},Snacks\n",
        snacks["id"], globex["id"], acme["id"], globex["id"]
    );
    let res = import(&app, &app.admin_token(), "accounts", CSV, &body).await;
    assert_eq!(
        line_errors(&res),
        [
            (2, "client_id".to_owned(), "invalid".to_owned()),
            (3, "name".to_owned(), "unique".to_owned()),
        ]
    );
}

#[actix_web::test]
async fn an_account_export_imported_again_is_unchanged() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let res = app
        .post("/api/v1/accounts")
        .token(&app.admin_token())
        .json(
            json!({"client_id": acme["id"], "name": "Snacks", "external_ref": "PRJ-1",
            "budget": {"amount_minor": 2500, "currency": "EUR"}}),
        )
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 201);
    app.account(&acme["id"], "Drinks").await;
    let res = app
        .get("/api/v1/accounts")
        .token(&app.admin_token())
        .header("accept", "text/csv")
        .send()
        .await;
    let csv = res.text();
    let res = import(&app, &app.admin_token(), "accounts", CSV, &csv).await;
    assert_eq!(counts(&res), (0, 0, 2));
    let edited = csv.replace("2500", "2600");
    let res = import(&app, &app.admin_token(), "accounts", CSV, &edited).await;
    assert_eq!(counts(&res), (0, 1, 1));
}
