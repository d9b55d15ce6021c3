//! `GET /payments` and its filters.

use super::*;

/// The ids of the payments `query` lists, as the executive sees them.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let page = get(app, token, &format!("/api/v1/payments?{query}")).await;
    let mut ids: Vec<i64> = page["data"].as_array().unwrap().iter().map(id).collect();
    ids.sort_unstable();
    ids
}

async fn due(app: &TestApp, desk: &Desk, direction: &str, due_date: &str) -> i64 {
    let body = json!({
        "account_id": desk.account, "direction": direction,
        "amount": {"amount_minor": 100, "currency": "EUR"},
        "description": "Instalment", "due_date": due_date
    });
    let res = request(app, &desk.exec.1, body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    id(&res.json())
}

#[actix_web::test]
async fn filters_combine_and_overdue_means_incoming_unpaid_and_late() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let other = super::desk(&app, None).await;
    let exec = &desk.exec.1;
    let late_in = due(&app, &desk, "incoming", "2020-01-31").await;
    let late_out = due(&app, &desk, "outgoing", "2020-01-31").await;
    let future_in = due(&app, &desk, "incoming", "2999-01-31").await;
    let undated = id(&app.payment(exec, desk.account, "incoming", 100).await);
    let late_paid = due(&app, &desk, "incoming", "2020-02-28").await;
    let approval = payment(&app, late_paid).await["approval_id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        decide(&app, &desk.manager.1, approval, "approved")
            .await
            .status,
        200
    );
    assert_eq!(
        mark_paid(&app, &desk.manager.1, late_paid, "IN-9")
            .await
            .status,
        200
    );
    let elsewhere = id(&app
        .payment(&other.exec.1, other.account, "incoming", 100)
        .await);

    // The executive sees their account's payments only.
    let mut all = vec![late_in, late_out, future_in, undated, late_paid];
    all.sort_unstable();
    assert_eq!(listed(&app, exec, "").await, all);
    let admin = app.admin_token();
    assert_eq!(
        listed(&app, &admin, &format!("account_id={}", other.account)).await,
        [elsewhere]
    );
    assert_eq!(
        listed(&app, &admin, &format!("client_id={}", other.client)).await,
        [elsewhere]
    );
    assert_eq!(listed(&app, exec, "overdue=true").await, [late_in]);
    let mut not_overdue = vec![late_out, future_in, undated, late_paid];
    not_overdue.sort_unstable();
    assert_eq!(listed(&app, exec, "overdue=false").await, not_overdue);
    assert_eq!(listed(&app, exec, "direction=outgoing").await, [late_out]);
    assert_eq!(listed(&app, exec, "status=paid").await, [late_paid]);
    let mut due_early = vec![late_in, late_out, late_paid];
    due_early.sort_unstable();
    assert_eq!(listed(&app, exec, "due_before=2020-02-28").await, due_early);
    assert_eq!(
        listed(
            &app,
            exec,
            "due_before=2020-02-28&direction=incoming&status=pending_approval"
        )
        .await,
        [late_in]
    );
    assert_eq!(
        listed(&app, exec, "contract_id=987654321").await,
        Vec::<i64>::new()
    );
    let page = get(&app, exec, "/api/v1/payments?sort=-updated_at&limit=1").await;
    assert_eq!(id(&page["data"][0]), late_paid);
}

/// The ids of the payments `query` lists, page after page of one, in order.
async fn walked(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut path = format!("/api/v1/payments?limit=1&{query}");
    loop {
        let page = get(app, token, &path).await;
        ids.extend(page["data"].as_array().unwrap().iter().map(id));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/payments?limit=1&{query}&cursor={cursor}"),
            None => return ids,
        }
    }
}

#[actix_web::test]
async fn by_due_date_the_earliest_come_first_and_undated_last_page_by_page() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let exec = &desk.exec.1;
    let march = due(&app, &desk, "incoming", "2026-03-31").await;
    let undated = id(&app.payment(exec, desk.account, "incoming", 100).await);
    let january = due(&app, &desk, "outgoing", "2026-01-31").await;
    let also_march = due(&app, &desk, "outgoing", "2026-03-31").await;
    let ascending = vec![january, march, also_march, undated];
    assert_eq!(walked(&app, exec, "sort=due_date").await, ascending);
    let descending: Vec<i64> = ascending.iter().rev().copied().collect();
    assert_eq!(walked(&app, exec, "sort=-due_date").await, descending);
}
