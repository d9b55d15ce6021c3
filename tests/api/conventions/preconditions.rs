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
        // Every record the recipes make is new, at version 1; one every case shares (a
        // policy) is wherever the cases before left it: its GET says.
        let call = fresh_call(&app, &cast, &op).await;
        let version = current_version(&app, &token, &call.path).await;
        let send = |tag: String| {
            call.request(&app)
                .token(&token)
                .header("if-match", tag.as_str())
                .send()
        };
        let stale = [
            format!("\"{}\"", version + 1),
            "\"99999\"".to_owned(),
            format!("W/\"{version}\""),
            version.to_string(),
            "\"70001\", \"70002\"".to_owned(),
        ];
        for stale in stale {
            let res = send(stale.clone()).await;
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
        let res = send(format!("\"{version}\"")).await;
        assert_eq!(
            res.status,
            ok,
            "{} with the current tag: {}",
            op.id,
            res.text()
        );
        checked += 1;
        if op.method != actix_web::http::Method::DELETE {
            let next = format!("\"{}\"", version + 1);
            assert_eq!(
                res.header("etag"),
                Some(next.as_str()),
                "{}: the new version's tag",
                op.id
            );
            let res = send(format!("\"{version}\"")).await;
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
        for matching in ["*", "\"70001\", {current}", "{current} , \"70002\""] {
            let call = fresh_call(&app, &cast, &op).await;
            let version = current_version(&app, &token, &call.path).await;
            let matching = matching.replace("{current}", &format!("\"{version}\""));
            let res = call
                .request(&app)
                .token(&token)
                .header("if-match", matching.as_str())
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

/// The version of the record at `path`, from its `GET`'s `ETag`; 1 for a record the
/// recipes make afresh when the path has no `GET` of its own.
async fn current_version(app: &TestApp, token: &str, path: &str) -> i64 {
    let res = app.get(path).token(token).send().await;
    res.header("etag")
        .and_then(|tag| tag.trim_matches('"').parse().ok())
        .unwrap_or(1)
}
