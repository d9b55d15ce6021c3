//! List: paging; List: sorting; List: filters.

use super::*;

// ---------------------------------------------------------------------------------------
// List: paging

#[actix_web::test]
async fn list_walks_every_page_exactly_once_oldest_first() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let mut created = Vec::new();
    for i in 1..=7 {
        let account = app.account(&client["id"], &format!("Account {i}")).await;
        created.push(account["name"].as_str().unwrap().to_owned());
    }
    let pages = walk(&app, "limit=3").await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    assert_eq!(pages.concat(), created, "no overlap, no gaps");
}

// ---------------------------------------------------------------------------------------
// List: sorting

const UNSORTED: [&str; 6] = ["Delta", "Alpha", "Foxtrot", "Charlie", "Echo", "Bravo"];

#[actix_web::test]
async fn list_sorts_by_name_both_ways_across_pages() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in UNSORTED {
        app.account(&client["id"], name).await;
    }
    let mut sorted: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    assert_eq!(walk(&app, "limit=4&sort=name").await.concat(), sorted);
    sorted.reverse();
    assert_eq!(walk(&app, "limit=4&sort=-name").await.concat(), sorted);
}

#[actix_web::test]
async fn list_by_name_pages_through_equal_names_once_each() {
    let app = TestApp::spawn().await;
    let mut ids = BTreeSet::new();
    // One account name under several clients: the id breaks the tie in the cursor.
    for client in ["Acme", "Globex", "Initech", "Umbrella", "Hooli"] {
        let client = app.client(client).await;
        ids.insert(
            app.account(&client["id"], "Europe").await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for sort in ["name", "-name"] {
        let mut seen = Vec::new();
        let mut res = list(&app, &format!("limit=2&sort={sort}")).await;
        loop {
            assert_eq!(res.status, 200, "{}", res.text());
            let body = res.json();
            seen.extend(
                body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["id"].as_i64().unwrap()),
            );
            let Some(cursor) = body["next_cursor"].as_str() else {
                break;
            };
            assert!(seen.len() < 20, "pagination does not end: {seen:?}");
            res = list(&app, &format!("limit=2&sort={sort}&cursor={cursor}")).await;
        }
        assert_eq!(seen.len(), ids.len(), "{sort}: {seen:?}");
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), ids, "{sort}");
    }
}

#[actix_web::test]
async fn list_sorts_by_updated_at_both_ways_across_pages() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let mut accounts = Vec::new();
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        accounts.push(app.account(&client["id"], name).await);
    }
    for account in [&accounts[1], &accounts[3]] {
        let res = patch(&app, account, json!({"status": "paused"})).await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    assert_eq!(
        walk(&app, "limit=2&sort=updated_at").await.concat(),
        ["Alpha", "Charlie", "Echo", "Bravo", "Delta"]
    );
    assert_eq!(
        walk(&app, "limit=2&sort=-updated_at").await.concat(),
        ["Delta", "Bravo", "Echo", "Charlie", "Alpha"]
    );
}

// ---------------------------------------------------------------------------------------
// List: filters

#[actix_web::test]
async fn list_filters_by_client_id() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    app.account(&acme["id"], "Snacks").await;
    app.account(&globex["id"], "Energy").await;
    app.account(&acme["id"], "Drinks").await;
    let res = list(&app, &format!("client_id={}", acme["id"])).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(names(&res.json()), ["Snacks", "Drinks"]);
    assert_eq!(
        names(&list(&app, "client_id=999999").await.json()),
        Vec::<String>::new()
    );
}

#[actix_web::test]
async fn list_filters_by_status() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for (name, status) in [
        ("Snacks", "active"),
        ("Drinks", "paused"),
        ("Pets", "closed"),
        ("Toys", "active"),
    ] {
        let res = create(
            &app,
            json!({"client_id": client["id"], "name": name, "status": status}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    assert_eq!(
        names(&list(&app, "status=active").await.json()),
        ["Snacks", "Toys"]
    );
    assert_eq!(names(&list(&app, "status=paused").await.json()), ["Drinks"]);
    assert_eq!(names(&list(&app, "status=closed").await.json()), ["Pets"]);
}

#[actix_web::test]
async fn list_filters_by_manager_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (manager_id, _) = app.staff("account_manager").await;
    app.account(&client["id"], "Snacks").await;
    create(
        &app,
        json!({"client_id": client["id"], "name": "Drinks", "manager_id": manager_id}),
    )
    .await;
    assert_eq!(
        names(&list(&app, &format!("manager_id={manager_id}")).await.json()),
        ["Drinks"]
    );
    assert_eq!(
        names(
            &list(&app, &format!("manager_id={}", app.admin_id))
                .await
                .json()
        ),
        ["Snacks"]
    );
}

#[actix_web::test]
async fn list_filters_combine_with_and() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let globex = app.client("Globex").await;
    create(
        &app,
        json!({"client_id": acme["id"], "name": "Snacks", "status": "paused"}),
    )
    .await;
    create(&app, json!({"client_id": acme["id"], "name": "Drinks"})).await;
    create(
        &app,
        json!({"client_id": globex["id"], "name": "Energy", "status": "paused"}),
    )
    .await;
    let query = format!("client_id={}&status=paused", acme["id"]);
    assert_eq!(names(&list(&app, &query).await.json()), ["Snacks"]);
}

#[actix_web::test]
async fn list_q_matches_a_substring_of_the_name_ignoring_case() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in ["Acme Snacks", "SNACK bar", "Drinks", "École Snacks"] {
        app.account(&client["id"], name).await;
    }
    assert_eq!(
        names(&list(&app, "q=sNaCk").await.json()),
        ["Acme Snacks", "SNACK bar", "École Snacks"]
    );
    assert_eq!(
        names(&list(&app, &format!("q={}", encode("école"))).await.json()),
        ["École Snacks"]
    );
    let problem = list(&app, "q=").await.problem(400);
    assert_eq!(problem["errors"][0]["field"], "q");
}

#[actix_web::test]
async fn list_q_matches_percent_and_underscore_literally() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    for name in ["100% Juice", "100 Juice", "Snake_Case", "SnakeXCase"] {
        app.account(&client["id"], name).await;
    }
    assert_eq!(
        names(&list(&app, &format!("q={}", encode("%"))).await.json()),
        ["100% Juice"]
    );
    assert_eq!(names(&list(&app, "q=e_c").await.json()), ["Snake_Case"]);
}

#[actix_web::test]
async fn list_filters_by_updated_since() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let snacks = app.account(&client["id"], "Snacks").await;
    app.account(&client["id"], "Drinks").await;
    let updated = patch(&app, &snacks, json!({"status": "paused"}))
        .await
        .json();
    let since = updated["updated_at"].as_str().unwrap();
    let res = list(&app, &format!("updated_since={}", encode(since))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(names(&res.json()), ["Snacks"], "at or after {since}");
    let res = list(&app, "updated_since=2000-01-01T00:00:00%2B02:00").await;
    assert_eq!(names(&res.json()), ["Snacks", "Drinks"]);
    let res = list(&app, "updated_since=2999-01-01T00:00:00Z").await;
    assert_eq!(names(&res.json()), Vec::<String>::new());
}

#[actix_web::test]
async fn list_items_carry_money_as_objects() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    create(
        &app,
        json!({"client_id": client["id"], "name": "Snacks", "budget": eur(1234), "payment_approval_threshold": eur(50)}),
    )
    .await;
    let item = list(&app, "").await.json()["data"][0].clone();
    assert_eq!(item["budget"], eur(1234));
    assert_eq!(item["payment_approval_threshold"], eur(50));
}
