//! Statuses come in one order — 401, 403, then the request's shape, then existence and
//! state — however the extractors race.

use serde_json::json;

use super::*;

/// A role with no grants at all: everything it may try is a 403.
async fn powerless(app: &TestApp) -> (i64, String) {
    app.role("powerless", json!([])).await;
    app.staff("powerless").await
}

/// A request wrong in every way the request's shape can be: bad path and query
/// parameters, a body that is not JSON.
fn wrong_in_shape<'a>(app: &'a TestApp, op: &Operation) -> Req<'a> {
    let mut path = fill(&op.path, "a%00b");
    if let Some((name, _)) = op.query.first() {
        path = format!("{path}?{name}=&unknown=1");
    }
    let req = app.request(op.method.clone(), &path);
    if op.body_example.is_some() {
        req.body("text/plain", "not json")
    } else {
        req
    }
}

#[actix_web::test]
async fn statuses_come_in_one_order_whatever_the_extractors_race() {
    let app = TestApp::spawn().await;
    let (_, powerless) = powerless(&app).await;
    let (gone_id, gone) = app.staff("account_coordinator").await;
    let res = app
        .patch(&format!("/api/v1/staff/{gone_id}"))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200);

    // Deciding 401 for a deactivated account and 403 both read the database, while the
    // shape checks fail at once: repeated, so a race would show.
    for op in spec_operations()
        .iter()
        .filter(|op| op.permission != "public")
    {
        let shaped = op.body_example.is_some() || !op.query.is_empty() || op.path.contains('{');
        if !shaped {
            continue;
        }
        for _ in 0..15 {
            let res = wrong_in_shape(&app, op).send().await;
            res.problem(401);
            let res = wrong_in_shape(&app, op).token(&gone).send().await;
            res.problem(401);
            if op.permission != "authenticated" {
                let res = wrong_in_shape(&app, op).token(&powerless).send().await;
                let problem = res.problem(403);
                assert!(
                    problem["detail"].as_str().unwrap().contains(&op.permission),
                    "{}: {problem}",
                    op.id
                );
            }
        }
    }
}

#[actix_web::test]
async fn request_shape_comes_before_existence_and_state() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    // A missing record with an invalid body: 422, not 404.
    let res = app
        .patch("/api/v1/clients/987654321")
        .token(&token)
        .json(json!({"name": ""}))
        .send()
        .await;
    assert_names(&res, 422, "name", "length", "patch of a missing client");
    // A stale If-Match with an invalid body: 422, not 412.
    let client = app.client("Acme Foods").await;
    let res = app
        .patch(&format!("/api/v1/clients/{}", client["id"]))
        .token(&token)
        .header("if-match", "\"99\"")
        .json(json!({"website": "javascript:alert(1)"}))
        .send()
        .await;
    assert_names(&res, 422, "website", "url", "stale If-Match and a bad body");
}
