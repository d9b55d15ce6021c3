//! Mixed scopes: allowed_actions.

use super::*;

#[actix_web::test]
async fn a_client_out_of_write_scope_is_readable_with_no_allowed_actions() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    app.role(
        "client_lead",
        json!([
            {"permission": "clients.read", "scope": "all"},
            {"permission": "clients.write", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, lead) = world.member(&app, "client_lead").await;

    let res = get_as(&app, &lead, &format!("{CLIENTS}/{}", id_of(&world.acme))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!(["update", "delete"]));
    for client in [&world.globex, &world.umbrella] {
        let res = get_as(&app, &lead, &format!("{CLIENTS}/{}", id_of(client))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(
            res.json()["allowed_actions"],
            json!([]),
            "{}",
            client["name"]
        );
    }
    assert_eq!(
        list_names(&app, &lead, CLIENTS, "sort=name").await,
        ["Acme", "Globex", "Initech", "Umbrella"]
    );
}

#[actix_web::test]
async fn a_readable_client_out_of_write_scope_cannot_be_changed() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    app.role(
        "client_lead",
        json!([
            {"permission": "clients.read", "scope": "all"},
            {"permission": "clients.write", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, lead) = world.member(&app, "client_lead").await;
    let globex = format!("{CLIENTS}/{}", id_of(&world.globex));
    // Out of the write scope is "not found" for writing (DESIGN §3), whatever reading says.
    app.patch(&globex)
        .token(&lead)
        .json(json!({"industry": "Food"}))
        .send()
        .await
        .problem(404);
    app.delete(&globex).token(&lead).send().await.problem(404);
    let stored = get_as(&app, &app.admin_token(), &globex).await.json();
    assert_eq!(stored["version"], 1);
    let res = app
        .patch(&format!("{CLIENTS}/{}", id_of(&world.acme)))
        .token(&lead)
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn an_account_out_of_write_scope_is_readable_with_no_allowed_actions() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    app.role(
        "account_lead",
        json!([
            {"permission": "accounts.read", "scope": "all"},
            {"permission": "accounts.write", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, lead) = world.member(&app, "account_lead").await;
    let res = get_as(&app, &lead, &format!("{ACCOUNTS}/{}", id_of(&world.snacks))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!(["update", "delete"]));
    let res = get_as(&app, &lead, &format!("{ACCOUNTS}/{}", id_of(&world.energy))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!([]));
}

/// Every list item says what the caller may do with it, exactly as the record read alone
/// says, whatever mix of scopes the caller's grants have.
#[actix_web::test]
async fn list_items_carry_the_allowed_actions_their_single_records_have() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    app.role(
        "lead",
        json!([
            {"permission": "clients.read", "scope": "all"},
            {"permission": "clients.write", "scope": "assigned"},
            {"permission": "clients.health", "scope": "all"},
            {"permission": "accounts.read", "scope": "all"},
            {"permission": "accounts.assign", "scope": "assigned"},
        ]),
    )
    .await;
    let (_, lead) = world.member(&app, "lead").await;
    let (_, manager) = world.member(&app, "account_manager").await;
    let mut compared = 0;
    for token in [lead, manager, app.admin_token()] {
        for base in [CLIENTS, "/api/v1/accounts"] {
            let page = get_as(&app, &token, &format!("{base}?limit=200"))
                .await
                .json();
            for item in page["data"].as_array().unwrap() {
                let one = get_as(&app, &token, &format!("{base}/{}", item["id"])).await;
                assert_eq!(one.status, 200, "{}", one.text());
                assert_eq!(
                    item["allowed_actions"],
                    one.json()["allowed_actions"],
                    "{base}/{}",
                    item["id"]
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 10, "only {compared} items compared");
}
