//! Request ids.

use super::*;

#[actix_web::test]
async fn a_request_id_sent_by_the_client_is_echoed() {
    let app = TestApp::spawn().await;
    let res = app
        .get(CLIENTS)
        .token(&app.admin_token())
        .header("x-request-id", "import-2026-03-02.row-17")
        .send()
        .await;
    assert_eq!(res.header("x-request-id"), Some("import-2026-03-02.row-17"));
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .header("x-request-id", "bad-create-1")
        .json(json!({"name": ""}))
        .send()
        .await;
    assert_eq!(res.problem(422)["request_id"], "bad-create-1");
}

#[actix_web::test]
async fn a_request_id_is_generated_when_absent_or_unusable() {
    let app = TestApp::spawn().await;
    let first = list(&app, "").await;
    let second = list(&app, "").await;
    let (a, b) = (
        first.header("x-request-id").expect("generated id"),
        second.header("x-request-id").expect("generated id"),
    );
    assert!(!a.is_empty());
    assert_ne!(a, b, "each request gets its own id");

    let long = "x".repeat(129);
    for unusable in ["has spaces", "semi;colon", long.as_str()] {
        let res = app
            .get(CLIENTS)
            .token(&app.admin_token())
            .header("x-request-id", unusable)
            .send()
            .await;
        let id = res.header("x-request-id").expect("generated id");
        assert_ne!(id, unusable);
        assert!(!id.is_empty());
    }
}
