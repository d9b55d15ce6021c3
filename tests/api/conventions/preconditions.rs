//! Every operation that takes `If-Match` honours it alike (RFC 9110 §13.1.1): a tag that
//! is not the record's current one, weak or not, is a 412 that changes nothing; the current
//! tag, `*`, or a list holding the current tag lets the request through.

use super::*;

#[actix_web::test]
async fn every_if_match_refuses_stale_tags_and_accepts_the_current_one_a_star_or_a_list() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in having(|op| op.if_match, 7, "taking If-Match") {
        let ok = success(&op);
        // Every record the recipes make is new: at version 1, its ETag "1".
        let call = fresh_call(&app, &cast, &op).await;
        let send = |tag: &'static str| {
            call.request(&app)
                .token(&token)
                .header("if-match", tag)
                .send()
        };
        for stale in ["\"2\"", "\"99\"", "W/\"1\"", "1", "\"7\", \"8\""] {
            let res = send(stale).await;
            assert_eq!(
                res.status,
                412,
                "{} If-Match: {stale}: {}",
                op.id,
                res.text()
            );
            res.problem(412);
            checked += 1;
        }
        // Nothing changed: the current tag still matches.
        let res = send("\"1\"").await;
        assert_eq!(
            res.status,
            ok,
            "{} with the current tag: {}",
            op.id,
            res.text()
        );
        checked += 1;
        if op.method != actix_web::http::Method::DELETE {
            assert_eq!(
                res.header("etag"),
                Some("\"2\""),
                "{}: the new version's tag",
                op.id
            );
            let res = send("\"1\"").await;
            assert_eq!(
                res.status,
                412,
                "{} with the tag before the change: {}",
                op.id,
                res.text()
            );
            res.problem(412);
            checked += 1;
        }
        for matching in ["*", "\"7\", \"1\"", "\"1\" , \"8\""] {
            let call = fresh_call(&app, &cast, &op).await;
            let res = call
                .request(&app)
                .token(&token)
                .header("if-match", matching)
                .send()
                .await;
            assert_eq!(
                res.status,
                ok,
                "{} If-Match: {matching}: {}",
                op.id,
                res.text()
            );
            checked += 1;
        }
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(checked >= 7 * 9, "only {checked} cases");
}
