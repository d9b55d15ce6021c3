use crate::helpers::*;

#[actix_web::test]
async fn healthz_answers_without_a_token() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["status"], "ok");
    assert!(res.header("x-request-id").is_some());
}

#[actix_web::test]
async fn readyz_is_ok_while_the_database_answers() {
    let app = TestApp::spawn().await;
    let res = app.get("/readyz").send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["status"], "ok");
}

#[actix_web::test]
async fn probes_refuse_query_parameters_like_every_operation() {
    let app = TestApp::spawn().await;
    for path in ["/healthz?verbose=1", "/readyz?verbose=1"] {
        let res = app.get(path).send().await;
        assert_eq!(res.status, 400, "{path}");
        assert_eq!(res.json()["status"], 400, "{path}");
    }
    for path in ["/healthz?", "/readyz?"] {
        assert_eq!(app.get(path).send().await.status, 200, "{path}");
    }
}
