//! List: paging; List: sorting; List: filters.

use super::*;

// ---------------------------------------------------------------------------------------
// List: paging

#[actix_web::test]
async fn list_walks_every_page_exactly_once() {
    let app = TestApp::spawn().await;
    let mut created = Vec::new();
    for i in 1..=7 {
        created.push(app.client(&format!("Client {i}")).await["name"].clone());
    }
    let pages = walk(&app, "limit=3").await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let all: Vec<String> = pages.concat();
    let expected: Vec<String> = created
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all, expected, "oldest first, no overlap, no gaps");
}

// ---------------------------------------------------------------------------------------
// List: sorting

/// Single capitalised words, so that every collation orders them the same way.
const UNSORTED: [&str; 7] = [
    "Delta", "Alpha", "Golf", "Charlie", "Foxtrot", "Bravo", "Echo",
];

#[actix_web::test]
async fn list_sorts_by_name_and_paginates_in_that_order() {
    let app = TestApp::spawn().await;
    for name in UNSORTED {
        app.client(name).await;
    }
    let mut sorted: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    let pages = walk(&app, "limit=3&sort=name").await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    assert_eq!(pages.concat(), sorted);
}

#[actix_web::test]
async fn list_sorts_by_name_descending_and_paginates_in_that_order() {
    let app = TestApp::spawn().await;
    for name in UNSORTED {
        app.client(name).await;
    }
    let mut sorted: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    sorted.reverse();
    assert_eq!(walk(&app, "limit=2&sort=-name").await.concat(), sorted);
}

#[actix_web::test]
async fn list_sorts_by_updated_at_and_paginates_in_that_order() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        ids.push(app.client(name).await["id"].clone());
    }
    for id in [&ids[1], &ids[3]] {
        let res = app
            .patch(&client_url(id))
            .token(&app.admin_token())
            .json(json!({"status": "active"}))
            .send()
            .await;
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
async fn list_filters_by_status_health_and_industry() {
    let app = TestApp::spawn().await;
    create(
        &app,
        json!({"name": "Acme", "status": "active", "industry": "Food"}),
    )
    .await;
    create(
        &app,
        json!({"name": "Globex", "health": "at_risk", "industry": "Energy"}),
    )
    .await;
    create(
        &app,
        json!({"name": "Initech", "status": "active", "health": "at_risk", "industry": "Food"}),
    )
    .await;
    create(&app, json!({"name": "Umbrella", "status": "inactive"})).await;

    let names_for = |query: &'static str| {
        let app = &app;
        async move {
            let res = list(app, query).await;
            assert_eq!(res.status, 200, "{query}: {}", res.text());
            names(&res.json())
        }
    };
    assert_eq!(names_for("status=active").await, ["Acme", "Initech"]);
    assert_eq!(names_for("status=inactive").await, ["Umbrella"]);
    assert_eq!(names_for("status=prospect").await, ["Globex"]);
    assert_eq!(names_for("health=at_risk").await, ["Globex", "Initech"]);
    assert_eq!(names_for("health=watch").await, Vec::<String>::new());
    assert_eq!(names_for("industry=Food").await, ["Acme", "Initech"]);
    assert_eq!(names_for("industry=food").await, Vec::<String>::new());
    assert_eq!(
        names_for("status=active&health=at_risk").await,
        ["Initech"],
        "filters combine with AND"
    );
}

#[actix_web::test]
async fn list_q_matches_a_substring_of_the_name_ignoring_case() {
    let app = TestApp::spawn().await;
    for name in ["Acme Foods", "Foodies Inc", "Globex", "SEAFOOD Ltd"] {
        app.client(name).await;
    }
    let res = list(&app, "q=fOOd").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        names(&res.json()),
        ["Acme Foods", "Foodies Inc", "SEAFOOD Ltd"]
    );
    let problem = list(&app, "q=").await.problem(400);
    assert_eq!(
        problem["errors"][0]["field"], "q",
        "an empty q is refused, not ignored"
    );
}

#[actix_web::test]
async fn list_q_matches_percent_and_underscore_literally() {
    let app = TestApp::spawn().await;
    for name in [
        "100% Organic",
        "100 Organic",
        "Snake_Case Co",
        "SnakeXCase Co",
        "Back\\slash",
    ] {
        app.client(name).await;
    }
    let by_q = |q: &'static str| {
        let app = &app;
        async move { names(&list(app, &format!("q={}", encode(q))).await.json()) }
    };
    assert_eq!(by_q("%").await, ["100% Organic"]);
    assert_eq!(by_q("0%").await, ["100% Organic"]);
    assert_eq!(by_q("_").await, ["Snake_Case Co"]);
    assert_eq!(by_q("e_c").await, ["Snake_Case Co"]);
    assert_eq!(by_q("\\").await, ["Back\\slash"]);
}

#[actix_web::test]
async fn list_q_matches_non_ascii_names_ignoring_case() {
    let app = TestApp::spawn().await;
    app.client("École Bistrot").await;
    for q in ["École", "école", "ÉCOLE"] {
        let res = list(&app, &format!("q={}", encode(q))).await;
        assert_eq!(names(&res.json()), ["École Bistrot"], "q={q}");
    }
}

#[actix_web::test]
async fn list_filters_by_updated_since() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    app.client("Globex").await;
    let updated = app
        .patch(&client_url(&acme["id"]))
        .token(&app.admin_token())
        .json(json!({"status": "active"}))
        .send()
        .await
        .json();
    let since = updated["updated_at"].as_str().unwrap();
    let res = list(&app, &format!("updated_since={}", encode(since))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(names(&res.json()), ["Acme"], "at or after {since}");

    let res = list(&app, "updated_since=2000-01-01T00:00:00%2B02:00").await;
    assert_eq!(names(&res.json()), ["Acme", "Globex"]);
    let res = list(&app, "updated_since=2999-01-01T00:00:00Z").await;
    assert_eq!(names(&res.json()), Vec::<String>::new());
}
