//! The queues a suit opens every morning: what they may decide or record now, and what
//! is late.

use super::*;

async fn queue(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let page = get(app, token, &format!("/api/v1/me/approvals?{query}")).await;
    page["data"].as_array().unwrap().iter().map(id).collect()
}

#[actix_web::test]
async fn each_caller_sees_the_open_stages_they_may_act_on_now() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let (exec, manager) = (&desk.exec.1, &desk.manager.1);
    let (_, outsider) = app.staff("account_manager").await;
    let by_exec = app
        .submitted_brief(exec, desk.account, "By the executive")
        .await;
    let by_exec = by_exec["approval_id"].as_i64().unwrap();
    let by_manager = app
        .submitted_brief(manager, desk.account, "By the manager")
        .await;
    let by_manager = by_manager["approval_id"].as_i64().unwrap();

    // Internal stages: the manager may decide the executive's request, not their own.
    assert_eq!(queue(&app, manager, "").await, [by_exec]);
    assert_eq!(queue(&app, exec, "").await, Vec::<i64>::new());
    assert_eq!(queue(&app, &outsider, "").await, Vec::<i64>::new());

    // Once the client's turn comes, whoever may record it sees it.
    app.approve(manager, by_exec, 1).await;
    assert_eq!(queue(&app, exec, "").await, [by_exec]);
    assert_eq!(queue(&app, manager, "").await, [by_exec]);
    assert_eq!(queue(&app, &outsider, "").await, Vec::<i64>::new());
    let admin = app.admin_token();
    assert_eq!(queue(&app, &admin, "").await, [by_exec, by_manager]);
    assert_eq!(
        queue(&app, &admin, "subject_type=creative_round").await,
        Vec::<i64>::new()
    );
}

#[actix_web::test]
async fn an_approval_past_its_due_date_is_overdue_while_pending() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let (exec, manager) = (&desk.exec.1, &desk.manager.1);
    let late = app.brief_by(exec, desk.account, "Late").await;
    let late = app
        .submit(exec, id(&late), Some(json!({"due_date": "2020-01-01"})))
        .await;
    let late = late["approval_id"].as_i64().unwrap();
    let timely = app.brief_by(exec, desk.account, "Timely").await;
    let timely = app
        .submit(exec, id(&timely), Some(json!({"due_date": "2999-01-01"})))
        .await;
    let timely = timely["approval_id"].as_i64().unwrap();

    assert_eq!(approval(&app, late).await["overdue"], true);
    assert_eq!(approval(&app, timely).await["overdue"], false);
    let ids =
        |page: Value| -> Vec<i64> { page["data"].as_array().unwrap().iter().map(id).collect() };
    let listed = get(
        &app,
        manager,
        "/api/v1/approvals?status=pending&overdue=true",
    )
    .await;
    assert_eq!(ids(listed), [late]);
    let listed = get(&app, manager, "/api/v1/approvals?overdue=false").await;
    assert_eq!(ids(listed), [timely]);
    assert_eq!(queue(&app, manager, "overdue=true").await, [late]);

    // Decided, it is no longer late.
    app.approve(manager, late, 1).await;
    app.client_approves(exec, late, 1).await;
    assert_eq!(approval(&app, late).await["overdue"], false);
    let listed = get(&app, manager, "/api/v1/approvals?overdue=true").await;
    assert_eq!(ids(listed), Vec::<i64>::new());
}
