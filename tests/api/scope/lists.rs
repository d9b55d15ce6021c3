//! Lists.

use super::*;

#[actix_web::test]
async fn list_clients_shows_only_the_clients_of_the_callers_accounts() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (_, token) = world.member(&app, role).await;
        assert_eq!(
            list_names(&app, &token, CLIENTS, "").await,
            ["Acme", "Initech"],
            "{role}"
        );
    }
}

#[actix_web::test]
async fn list_accounts_shows_only_the_callers_accounts() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (_, token) = world.member(&app, role).await;
        assert_eq!(
            list_names(&app, &token, ACCOUNTS, "").await,
            ["Acme Snacks", "Initech Software"],
            "{role}"
        );
    }
}

#[actix_web::test]
async fn client_filters_aimed_at_out_of_scope_clients_find_nothing() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    for client in [&world.globex, &world.umbrella] {
        let res = app
            .patch(&format!("{CLIENTS}/{}", id_of(client)))
            .token(&app.admin_token())
            .json(json!({"status": "inactive", "industry": "Energy"}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    let empty = Vec::<String>::new();
    for query in [
        "q=Globex",
        "q=globex",
        "q=umbrella",
        "q=e&status=inactive",
        "status=inactive",
        "industry=Energy",
        "health=good&status=inactive",
    ] {
        assert_eq!(list_names(&app, &x, CLIENTS, query).await, empty, "{query}");
    }
    assert_eq!(
        list_names(&app, &x, CLIENTS, "q=e&sort=-name").await,
        ["Initech", "Acme"],
        "in-scope matches are still found"
    );
}

#[actix_web::test]
async fn account_filters_aimed_at_out_of_scope_accounts_find_nothing() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let (other_manager, _) = app.staff("account_manager").await;
    let res = app
        .patch(&format!("{ACCOUNTS}/{}", id_of(&world.energy)))
        .token(&app.admin_token())
        .json(json!({"status": "paused", "manager_id": other_manager}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    let empty = Vec::<String>::new();
    for query in [
        "q=Globex".to_owned(),
        "q=energy".to_owned(),
        "q=drinks".to_owned(),
        format!("client_id={}", id_of(&world.globex)),
        format!("client_id={}", id_of(&world.umbrella)),
        "status=paused".to_owned(),
        format!("manager_id={other_manager}"),
        format!("client_id={}&q=drinks", id_of(&world.acme)),
    ] {
        assert_eq!(
            list_names(&app, &x, ACCOUNTS, &query).await,
            empty,
            "{query}"
        );
    }
    // A client in scope still hides its accounts the caller is not on.
    assert_eq!(
        list_names(
            &app,
            &x,
            ACCOUNTS,
            &format!("client_id={}", id_of(&world.acme))
        )
        .await,
        ["Acme Snacks"]
    );
    assert_eq!(
        list_names(&app, &x, ACCOUNTS, &format!("manager_id={}", app.admin_id)).await,
        ["Acme Snacks", "Initech Software"]
    );
}

#[actix_web::test]
async fn paging_one_at_a_time_never_reaches_out_of_scope_records() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    let clients = BTreeSet::from(["Acme".to_owned(), "Initech".to_owned()]);
    let accounts = BTreeSet::from(["Acme Snacks".to_owned(), "Initech Software".to_owned()]);
    for sort in [
        "name",
        "-name",
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
    ] {
        let query = format!("limit=1&sort={sort}");
        let seen = walk(&app, &x, CLIENTS, &query).await;
        assert_eq!(seen.len(), 2, "{sort}: {seen:?}");
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), clients, "{sort}");
        let seen = walk(&app, &x, ACCOUNTS, &query).await;
        assert_eq!(seen.len(), 2, "{sort}: {seen:?}");
        assert_eq!(
            seen.into_iter().collect::<BTreeSet<_>>(),
            accounts,
            "{sort}"
        );
    }
}

#[actix_web::test]
async fn the_last_in_scope_page_offers_no_next_page() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    // Globex Energy sorts after both of the caller's accounts by name: a next_cursor here
    // would betray that something follows.
    let res = get_as(&app, &x, &format!("{ACCOUNTS}?limit=2&sort=name")).await;
    assert_eq!(names(&res), ["Acme Snacks", "Initech Software"]);
    assert_eq!(res.json()["next_cursor"], Value::Null);
    assert!(res.header("link").is_none());
    let res = get_as(&app, &x, &format!("{CLIENTS}?limit=2&sort=name")).await;
    assert_eq!(names(&res), ["Acme", "Initech"]);
    assert_eq!(res.json()["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn a_cursor_from_an_admins_listing_reveals_nothing_out_of_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_executive").await;
    let admin = app.admin_token();

    // The admin's pages by name: Acme Drinks, Acme Snacks, Globex Energy, Initech Software.
    for (limit, expected) in [
        (1, vec!["Acme Snacks", "Initech Software"]),
        (2, vec!["Initech Software"]),
        (3, vec!["Initech Software"]),
    ] {
        let page = get_as(&app, &admin, &format!("{ACCOUNTS}?limit={limit}&sort=name")).await;
        let cursor = page.json()["next_cursor"].as_str().unwrap().to_owned();
        let seen = walk(
            &app,
            &x,
            ACCOUNTS,
            &format!("limit=1&sort=name&cursor={cursor}"),
        )
        .await;
        assert_eq!(seen, expected, "after the admin's first {limit}");
    }

    // The admin's pages by name: Acme, Globex, Initech, Umbrella.
    let page = get_as(&app, &admin, &format!("{CLIENTS}?limit=2&sort=name")).await;
    assert_eq!(names(&page), ["Acme", "Globex"]);
    let cursor = page.json()["next_cursor"].as_str().unwrap().to_owned();
    let seen = walk(
        &app,
        &x,
        CLIENTS,
        &format!("limit=1&sort=name&cursor={cursor}"),
    )
    .await;
    assert_eq!(seen, ["Initech"]);
}
