//! How one comes into scope, and leaves it.

use super::*;

#[actix_web::test]
async fn the_manager_of_an_account_is_in_scope_without_being_on_its_team() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (manager_id, manager) = app.staff("account_manager").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    let res = app
        .patch(&energy)
        .token(&app.admin_token())
        .json(json!({"manager_id": manager_id}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    let res = get_as(&app, &manager, &energy).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    assert_eq!(
        get_as(&app, &manager, &format!("{energy}/team"))
            .await
            .status,
        200
    );
    let globex = format!("{CLIENTS}/{}", id_of(&world.globex));
    assert_eq!(get_as(&app, &manager, &globex).await.status, 200);
    assert_eq!(
        list_names(&app, &manager, ACCOUNTS, "").await,
        ["Globex Energy"]
    );
    assert_eq!(list_names(&app, &manager, CLIENTS, "").await, ["Globex"]);
    let events = feed(&app, &manager, "").await;
    assert!(subjects(&events).contains(&subject("accounts", id_of(&world.energy))));
}

#[actix_web::test]
async fn changing_the_manager_removes_the_old_managers_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (manager_id, manager) = app.staff("account_manager").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    let globex = format!("{CLIENTS}/{}", id_of(&world.globex));
    let set_manager = |id: i64| {
        app.patch(&energy)
            .token(&app.admin_token())
            .json(json!({"manager_id": id}))
            .send()
    };
    assert_eq!(set_manager(manager_id).await.status, 200);
    assert_eq!(get_as(&app, &manager, &energy).await.status, 200);

    assert_eq!(set_manager(app.admin_id).await.status, 200);
    get_as(&app, &manager, &energy).await.problem(404);
    get_as(&app, &manager, &globex).await.problem(404);
    assert_eq!(
        list_names(&app, &manager, ACCOUNTS, "").await,
        Vec::<String>::new()
    );
    assert_eq!(
        list_names(&app, &manager, CLIENTS, "").await,
        Vec::<String>::new()
    );
    assert_eq!(feed(&app, &manager, "").await, Vec::<Value>::new());
}

#[actix_web::test]
async fn a_manager_who_hands_their_account_over_loses_it() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (manager_id, manager) = app.staff("account_manager").await;
    let (successor, _) = app.staff("account_manager").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    app.patch(&energy)
        .token(&app.admin_token())
        .json(json!({"manager_id": manager_id}))
        .send()
        .await;
    let res = app
        .patch(&energy)
        .token(&manager)
        .json(json!({"manager_id": successor}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["allowed_actions"], json!([]), "no longer theirs");
    get_as(&app, &manager, &energy).await.problem(404);
}

#[actix_web::test]
async fn taking_a_member_off_the_team_removes_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_manager").await;
    let snacks = format!("{ACCOUNTS}/{}", id_of(&world.snacks));
    let acme = format!("{CLIENTS}/{}", id_of(&world.acme));
    assert_eq!(get_as(&app, &x, &snacks).await.status, 200);

    let res = app
        .delete(&format!("{snacks}/team/{x_id}"))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    get_as(&app, &x, &snacks).await.problem(404);
    get_as(&app, &x, &acme).await.problem(404);
    assert_eq!(
        list_names(&app, &x, ACCOUNTS, "").await,
        ["Initech Software"]
    );
    assert_eq!(list_names(&app, &x, CLIENTS, "").await, ["Initech"]);
    let seen = subjects(&feed(&app, &x, "").await);
    assert!(
        !seen.contains(&subject("clients", id_of(&world.acme))),
        "{seen:?}"
    );
    assert!(
        !seen.contains(&subject("accounts", id_of(&world.snacks))),
        "{seen:?}"
    );
}

#[actix_web::test]
async fn deleting_the_callers_only_account_of_a_client_takes_the_client_out_of_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    let res = app
        .delete(&format!("{ACCOUNTS}/{}", id_of(&world.software)))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    get_as(&app, &x, &format!("{CLIENTS}/{}", id_of(&world.initech)))
        .await
        .problem(404);
    assert_eq!(list_names(&app, &x, CLIENTS, "").await, ["Acme"]);
}

#[actix_web::test]
async fn being_added_to_a_team_grants_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_executive").await;
    let energy = format!("{ACCOUNTS}/{}", id_of(&world.energy));
    get_as(&app, &x, &energy).await.problem(404);
    app.assign(&world.energy["id"], x_id).await;
    assert_eq!(get_as(&app, &x, &energy).await.status, 200);
    assert_eq!(
        get_as(&app, &x, &format!("{CLIENTS}/{}", id_of(&world.globex)))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_manager_adding_someone_to_their_account_brings_them_into_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let (planner_id, planner) = app.staff("account_planner").await;
    let snacks = format!("{ACCOUNTS}/{}", id_of(&world.snacks));
    let res = app
        .put(&format!("{snacks}/team/{planner_id}"))
        .token(&x)
        .json(json!({"role_on_account": "planner"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(
        list_names(&app, &planner, ACCOUNTS, "").await,
        ["Acme Snacks"]
    );
}
