//! `lifecycle` and `notice_deadline`, derived on every read from the contract's own
//! dates as of today: each boundary day on both sides.

use super::*;

/// The lifecycle a draft with these dates is read with.
async fn lifecycle_of(app: &TestApp, desk: &Desk, start: i64, end: i64, notice: i64) -> Value {
    let changes = json!({"start_date": day(start), "end_date": day(end), "notice_days": notice});
    let created = app.contract(&desk.manager.1, body(desk, changes)).await;
    let res = app
        .get(&format!("{CONTRACTS}/{}", id(&created)))
        .token(&desk.manager.1)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let contract = res.json();
    assert_eq!(contract["notice_deadline"], day(end - notice));
    contract["lifecycle"].clone()
}

#[actix_web::test]
async fn each_boundary_day_falls_on_its_side() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    // Starting tomorrow: upcoming; starting today: under way.
    assert_eq!(lifecycle_of(&app, &desk, 1, 100, 10).await, "upcoming");
    assert_eq!(lifecycle_of(&app, &desk, 0, 100, 10).await, "running");
    // The notice deadline tomorrow: running; today: in notice.
    assert_eq!(lifecycle_of(&app, &desk, -10, 11, 10).await, "running");
    assert_eq!(lifecycle_of(&app, &desk, -10, 10, 10).await, "in_notice");
    // Ending today: still in notice; ended yesterday: expired.
    assert_eq!(lifecycle_of(&app, &desk, -10, 0, 10).await, "in_notice");
    assert_eq!(lifecycle_of(&app, &desk, -10, -1, 0).await, "expired");
}

#[actix_web::test]
async fn an_open_ended_framework_runs() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let changes = json!({"kind": "framework", "start_date": day(-400), "end_date": null});
    let created = app.contract(&desk.manager.1, body(&desk, changes)).await;
    assert_eq!(created["lifecycle"], "running");
    assert_eq!(created["notice_deadline"], Value::Null);
}
