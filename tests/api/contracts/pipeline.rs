//! The renewal pipeline: `ending_before`, `notice_before`, `lifecycle`, and the orders by
//! `notice_deadline` and `end_date`, with cursors.

use super::*;

fn titles(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect()
}

async fn list(app: &TestApp, token: &str, desk: &Desk, query: &str) -> Value {
    let path = format!("{CONTRACTS}?client_id={}&{query}", desk.client);
    let res = app.get(&path).token(token).send().await;
    assert_eq!(res.status, 200, "{path}: {}", res.text());
    res.json()
}

#[actix_web::test]
async fn the_pipeline_lists_active_contracts_due_for_notice_by_deadline() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let make = |title: &str, end: i64, notice: i64| {
        body(
            &desk,
            json!({"title": title, "start_date": day(-200), "end_date": day(end),
                   "notice_days": notice}),
        )
    };
    // Deadlines: late +40, soon +5, past -5 (in notice), far +300.
    let late = app.contract(manager, make("late", 50, 10)).await;
    let soon = app.contract(manager, make("soon", 15, 10)).await;
    let past = app.contract(manager, make("past", 5, 10)).await;
    let far = app.contract(manager, make("far", 310, 10)).await;
    let draft = app.contract(manager, make("draft", 15, 10)).await;
    for c in [&late, &soon, &past, &far] {
        app.activate_contract(manager, id(c)).await;
    }
    let _ = draft;
    let page = list(
        &app,
        manager,
        &desk,
        &format!("notice_before={}&sort=notice_deadline", day(60)),
    )
    .await;
    assert_eq!(titles(&page), ["past", "soon", "late"]);

    // Renewed and the renewal active: no longer in the pipeline.
    let renewal = app
        .expect_post(
            manager,
            &format!("{CONTRACTS}/{}/renew", id(&soon)),
            None,
            201,
        )
        .await;
    let page = list(
        &app,
        manager,
        &desk,
        &format!("notice_before={}&sort=notice_deadline", day(60)),
    )
    .await;
    assert_eq!(
        titles(&page),
        ["past", "soon", "late"],
        "a draft renewal does not count"
    );
    app.activate_contract(manager, id(&renewal)).await;
    let page = list(
        &app,
        manager,
        &desk,
        &format!("notice_before={}&sort=notice_deadline", day(60)),
    )
    .await;
    assert_eq!(titles(&page), ["past", "late"]);

    let page = list(
        &app,
        manager,
        &desk,
        "lifecycle=in_notice&sort=notice_deadline",
    )
    .await;
    assert_eq!(titles(&page), ["past"]);
    let page = list(
        &app,
        manager,
        &desk,
        &format!("ending_before={}&sort=end_date", day(60)),
    )
    .await;
    assert_eq!(titles(&page), ["past", "soon", "draft", "late"]);
    let page = list(&app, manager, &desk, "sort=-end_date").await;
    assert_eq!(titles(&page)[0], "soon", "the renewal ends last: {page}");
}

#[actix_web::test]
async fn the_deadline_order_pages_with_cursors() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    let mut expected = Vec::new();
    for (i, end) in [30, 10, 20, 10, 40].iter().enumerate() {
        let title = format!("c{i}");
        let changes = json!({"title": title, "start_date": day(-10), "end_date": day(*end), "notice_days": 0});
        app.contract(manager, body(&desk, changes)).await;
        expected.push((*end, title));
    }
    // Open-ended: no deadline, not in this order.
    app.contract(
        manager,
        body(
            &desk,
            json!({"kind": "framework", "end_date": null, "title": "open"}),
        ),
    )
    .await;
    expected.sort();
    let mut walked: Vec<String> = Vec::new();
    let mut query = "sort=notice_deadline&limit=2".to_owned();
    loop {
        let page = list(&app, manager, &desk, &query).await;
        walked.extend(titles(&page).into_iter().map(str::to_owned));
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        query = format!("sort=notice_deadline&limit=2&cursor={}", encode(cursor));
    }
    let want: Vec<String> = expected.into_iter().map(|(_, t)| t).collect();
    assert_eq!(walked, want);
}

#[actix_web::test]
async fn lifecycle_filters_agree_with_the_derived_field() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let manager = &desk.manager.1;
    for (title, start, end, notice) in [
        ("upcoming", 1, 100, 10),
        ("running", 0, 100, 10),
        ("in_notice", -10, 10, 10),
        ("expired", -10, -1, 0),
    ] {
        let changes = json!({"title": title, "start_date": day(start), "end_date": day(end), "notice_days": notice});
        app.contract(manager, body(&desk, changes)).await;
    }
    app.contract(manager, body(&desk, json!({"title": "running", "kind": "framework", "start_date": day(-5), "end_date": null})))
        .await;
    for lifecycle in ["upcoming", "running", "in_notice", "expired"] {
        let page = list(&app, manager, &desk, &format!("lifecycle={lifecycle}")).await;
        let data = page["data"].as_array().unwrap();
        assert!(!data.is_empty(), "{lifecycle}");
        for c in data {
            assert_eq!(c["lifecycle"], lifecycle, "{c}");
            assert_eq!(c["title"], lifecycle, "{c}");
        }
    }
}
