//! Filters and order.

use super::*;

#[actix_web::test]
async fn filters_combine_and_each_narrows_the_list() {
    let app = TestApp::spawn().await;
    let acme = account(&app, "Acme").await;
    let globex = account(&app, "Globex").await;
    let (planner, planner_token) = app.staff("account_planner").await;
    app.assign(&globex["id"], planner).await;
    let token = app.admin_token();
    let brief = |account: &Value, title: &str, due: Option<&str>| json!({"account_id": account["id"], "title": title, "due_date": due});
    let mut made = Vec::new();
    for (account, title, due, tok) in [
        (&acme, "Spring launch", Some("2026-03-01"), &token),
        (&acme, "Summer promo", Some("2026-06-15"), &token),
        (&globex, "Spring rebrand", None, &planner_token),
    ] {
        let res = create(&app, tok, brief(account, title, due)).await;
        assert_eq!(res.status, 201, "{}", res.text());
        made.push(res.json()["id"].as_i64().unwrap());
    }
    assert_eq!(
        cancel(&app, &token, &json!({"id": made[1]})).await.status,
        200
    );
    let (a, b, c) = (made[0], made[1], made[2]);
    let cases = [
        (format!("account_id={}", acme["id"]), vec![a, b]),
        (format!("client_id={}", globex["client_id"]), vec![c]),
        ("status=cancelled".to_owned(), vec![b]),
        ("status=draft".to_owned(), vec![a, c]),
        (format!("author_id={planner}"), vec![c]),
        ("due_before=2026-03-01".to_owned(), vec![a]),
        ("due_after=2026-03-02".to_owned(), vec![b]),
        (
            "due_after=2026-01-01&due_before=2026-12-31".to_owned(),
            vec![a, b],
        ),
        ("q=SPRING".to_owned(), vec![a, c]),
        (format!("q=spring&account_id={}", acme["id"]), vec![a]),
        ("sort=title".to_owned(), vec![a, c, b]),
        ("sort=-title".to_owned(), vec![b, c, a]),
    ];
    for (query, want) in cases {
        assert_eq!(list(&app, &query).await, want, "?{query}");
    }
}

#[actix_web::test]
async fn a_date_filter_that_is_not_a_date_is_a_400_naming_it() {
    let app = TestApp::spawn().await;
    for query in ["due_before=tomorrow", "due_after=2026-13-01"] {
        let res = app
            .get(&format!("{BRIEFS}?{query}"))
            .token(&app.admin_token())
            .send()
            .await;
        let problem = res.problem(400);
        let field = query.split('=').next().unwrap();
        assert_eq!(error(&problem, field)["field"], field, "{problem}");
    }
}
