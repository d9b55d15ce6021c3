//! Every error status the server answers, each as an RFC 9457 problem carrying the
//! request id (`Resp::problem` checks both).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use suits::db::schema::clients;

use crate::helpers::*;

const CLIENTS: &str = "/api/v1/clients";
const MIB: usize = 1024 * 1024;

/// The `Allow` header as a list of methods.
fn allow(res: &Resp) -> Vec<String> {
    res.header("allow")
        .expect("Allow header")
        .split(',')
        .map(|m| m.trim().to_owned())
        .collect()
}

/// Asserts a problem whose body names nothing of the server's insides.
#[track_caller]
fn assert_discreet(res: &Resp) {
    let body = res.text().to_lowercase();
    for leak in [
        "audit_events",
        "table",
        "sql",
        "relation",
        "diesel",
        "pool",
        "timed out",
        "panicked",
        ".rs:",
    ] {
        assert!(
            !body.contains(leak),
            "the problem mentions {leak:?}: {body}"
        );
    }
}

fn client_count(app: &TestApp) -> i64 {
    let mut conn = app.state.pool.get().expect("connection");
    clients::table
        .count()
        .get_result(&mut **conn)
        .expect("count clients")
}

// ---------------------------------------------------------------------------------------
// 404, 405

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/v1/nope",
        "/nope",
        "/api/v2/clients",
        "/api/v1/clients/1/nope",
        "/",
    ] {
        let problem = app.get(path).send().await.problem(404);
        assert!(
            problem["detail"].as_str().unwrap().contains(path),
            "{problem}"
        );
    }
    let res = app
        .post("/api/v1/nope")
        .token(&app.admin_token())
        .json(json!({}))
        .send()
        .await;
    res.problem(404);
}

#[actix_web::test]
async fn an_unknown_record_is_a_404_problem() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/v1/clients/424242",
        "/api/v1/clients/abc",
        "/api/v1/staff/424242",
    ] {
        app.get(path)
            .token(&app.admin_token())
            .send()
            .await
            .problem(404);
    }
}

#[actix_web::test]
async fn a_wrong_method_on_a_collection_is_405_with_allow() {
    let app = TestApp::spawn().await;
    for method in ["PUT", "DELETE", "PATCH"] {
        let res = app
            .request(method.parse().unwrap(), CLIENTS)
            .token(&app.admin_token())
            .send()
            .await;
        res.problem(405);
        let allowed = allow(&res);
        assert!(allowed.contains(&"GET".to_owned()), "{allowed:?}");
        assert!(allowed.contains(&"POST".to_owned()), "{allowed:?}");
        assert!(!allowed.contains(&method.to_owned()), "{allowed:?}");
    }
}

#[actix_web::test]
async fn a_wrong_method_on_a_record_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let res = app.post("/api/v1/clients/5").send().await;
    res.problem(405);
    let mut allowed = allow(&res);
    allowed.sort();
    assert_eq!(allowed, ["DELETE", "GET", "HEAD", "PATCH"]);

    let res = app.get("/api/v1/clients/5/health").send().await;
    res.problem(405);
    assert_eq!(allow(&res), ["PUT"]);
}

#[actix_web::test]
async fn delete_on_me_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let res = app
        .delete("/api/v1/me")
        .token(&app.admin_token())
        .send()
        .await;
    res.problem(405);
    let allowed = allow(&res);
    assert!(allowed.contains(&"GET".to_owned()), "{allowed:?}");
    assert!(!allowed.contains(&"DELETE".to_owned()), "{allowed:?}");
}

#[actix_web::test]
async fn a_wrong_method_on_an_operational_endpoint_is_405() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz", "/api/v1/openapi.json"] {
        let res = app.post(path).send().await;
        res.problem(405);
        assert_eq!(allow(&res), ["GET", "HEAD"], "{path}");
    }
}

// ---------------------------------------------------------------------------------------
// 401, 403

#[actix_web::test]
async fn a_missing_or_bad_token_is_a_401_problem_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let other_keys = suits::auth::jwt::TokenKeys::new(
        b"another-secret-another-secret-another-secret",
        std::time::Duration::from_secs(60),
    );
    let foreign = other_keys.issue(app.admin_id).unwrap();
    for authorization in [
        None,
        Some("Bearer".to_owned()),
        Some("Basic YWRtaW46YWRtaW4=".to_owned()),
        Some("Bearer not-a-jwt".to_owned()),
        Some(format!("Bearer {foreign}")),
    ] {
        let mut req = app.get(CLIENTS);
        if let Some(value) = &authorization {
            req = req.header("authorization", value);
        }
        let res = req.send().await;
        res.problem(401);
        assert_eq!(
            res.header("www-authenticate"),
            Some("Bearer realm=\"suits\""),
            "{authorization:?}"
        );
    }
}

#[actix_web::test]
async fn a_missing_permission_is_a_403_problem_naming_it() {
    let app = TestApp::spawn().await;
    let (_, planner) = app.staff("account_planner").await;
    let res = app
        .post(CLIENTS)
        .token(&planner)
        .json(json!({"name": "Acme"}))
        .send()
        .await;
    let problem = res.problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("clients.write"),
        "{problem}"
    );
}

// ---------------------------------------------------------------------------------------
// Malformed requests: 413, 415, 400, 422

/// `{"name": "Acme"}` padded with whitespace to exactly `len` bytes: valid JSON of any size.
fn padded_client(len: usize) -> Vec<u8> {
    let mut body = br#"{"name": "Acme"}"#.to_vec();
    body.resize(len, b' ');
    body
}

#[actix_web::test]
async fn a_body_over_one_mib_is_413() {
    let app = TestApp::spawn().await;
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body("application/json", padded_client(MIB + 1))
        .send()
        .await;
    let problem = res.problem(413);
    assert!(
        problem["detail"].as_str().unwrap().contains("1048576"),
        "{problem}"
    );
    assert_eq!(client_count(&app), 0);
}

#[actix_web::test]
async fn a_body_over_one_mib_without_content_length_is_413() {
    let app = TestApp::spawn().await;
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body("application/json", padded_client(2 * MIB))
        .send_without_content_length()
        .await;
    res.problem(413);
    assert_eq!(client_count(&app), 0);
}

#[actix_web::test]
async fn a_body_of_exactly_one_mib_is_accepted() {
    let app = TestApp::spawn().await;
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body("application/json", padded_client(MIB))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body("application/json", br#"{"name": "Globex"}"#.to_vec())
        .send_without_content_length()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let json = json!({"name": "Acme"}).to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "text/json",
    ] {
        let res = app
            .post(CLIENTS)
            .token(&app.admin_token())
            .body(content_type, json.clone())
            .send()
            .await;
        let problem = res.problem(415);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{problem}"
        );
    }
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .payload(json)
        .send()
        .await;
    res.problem(415);
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body("application/x-www-form-urlencoded", "name=Acme")
        .send()
        .await;
    res.problem(415);
    assert_eq!(client_count(&app), 0);
}

#[actix_web::test]
async fn json_media_types_with_a_suffix_or_parameters_are_accepted() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .patch(&format!("{CLIENTS}/{}", client["id"]))
        .token(&app.admin_token())
        .body(
            "application/merge-patch+json",
            json!({"industry": "Food"}).to_string(),
        )
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body(
            "Application/JSON; charset=UTF-8",
            json!({"name": "Globex"}).to_string(),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    for body in [
        r#"{"name":"#,
        "not json",
        "",
        "   \n",
        r#"{"name": 'Acme'}"#,
        r#"{"name": "Acme",}"#,
    ] {
        let res = app
            .post(CLIENTS)
            .token(&app.admin_token())
            .body("application/json", body)
            .send()
            .await;
        let problem = res.problem(400);
        assert!(problem.get("errors").is_none(), "{body:?}: {problem}");
    }
    assert_eq!(client_count(&app), 0);
}

#[actix_web::test]
async fn json_followed_by_trailing_characters_is_400() {
    let app = TestApp::spawn().await;
    for body in [
        r#"{"name": "Acme"} trailing"#,
        r#"{"name": "Globex"}{"name": "Initech"}"#,
    ] {
        let res = app
            .post(CLIENTS)
            .token(&app.admin_token())
            .body("application/json", body)
            .send()
            .await;
        res.problem(400);
    }
    assert_eq!(client_count(&app), 0);
}

#[actix_web::test]
async fn json_that_is_not_an_object_is_422() {
    let app = TestApp::spawn().await;
    for body in [r#"[{"name": "Acme"}]"#, r#""Acme""#, "42", "null"] {
        let res = app
            .post(CLIENTS)
            .token(&app.admin_token())
            .body("application/json", body)
            .send()
            .await;
        let problem = res.problem(422);
        assert_eq!(problem["errors"][0]["code"], "type", "{body}: {problem}");
    }
    assert_eq!(client_count(&app), 0);
}

#[actix_web::test]
async fn errors_are_problem_json_whatever_the_client_accepts() {
    let app = TestApp::spawn().await;
    for accept in ["text/html", "application/xml", "text/csv"] {
        let res = app.get("/nope").header("accept", accept).send().await;
        res.problem(404);
        let res = app.get(CLIENTS).header("accept", accept).send().await;
        res.problem(401);
    }
}

#[actix_web::test]
async fn a_malformed_if_match_header_is_400() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .patch(&format!("{CLIENTS}/{}", client["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"é\"")
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    res.problem(400);
}

// ---------------------------------------------------------------------------------------
// 500, 503

fn drop_audit_events(app: &TestApp) {
    let mut conn = app.state.pool.get().expect("connection");
    conn.batch_execute("DROP TABLE audit_events")
        .expect("drop audit_events");
}

#[actix_web::test]
async fn a_failing_write_is_a_discreet_500_and_leaves_no_client_behind() {
    let app = TestApp::spawn().await;
    drop_audit_events(&app);

    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .header("x-request-id", "doomed-create")
        .json(json!({"name": "Acme"}))
        .send()
        .await;
    let problem = res.problem(500);
    assert_eq!(problem["request_id"], "doomed-create");
    assert_discreet(&res);

    assert_eq!(client_count(&app), 0, "the insert was rolled back");
    let listed = app.get(CLIENTS).token(&app.admin_token()).send().await;
    assert_eq!(listed.json()["data"], json!([]));
}

#[actix_web::test]
async fn failing_updates_and_deletes_are_500_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let url = format!("{CLIENTS}/{}", client["id"]);
    drop_audit_events(&app);

    let res = app
        .patch(&url)
        .token(&app.admin_token())
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    res.problem(500);
    assert_discreet(&res);
    let res = app
        .put(&format!("{url}/health"))
        .token(&app.admin_token())
        .json(json!({"health": "at_risk"}))
        .send()
        .await;
    res.problem(500);
    let res = app.delete(&url).token(&app.admin_token()).send().await;
    res.problem(500);
    assert_discreet(&res);

    let stored = app.get(&url).token(&app.admin_token()).send().await;
    assert_eq!(stored.status, 200, "the delete was rolled back");
    assert_eq!(stored.json(), client, "the updates were rolled back");
}

async fn scarce_app() -> TestApp {
    TestApp::spawn_with(&[("SUITS_DB_POOL_SIZE", "1"), ("SUITS_DB_TIMEOUT", "1")]).await
}

#[actix_web::test]
async fn readyz_without_a_free_connection_is_503_with_retry_after() {
    let app = scarce_app().await;
    let held = app.state.pool.get().expect("the only connection");

    let res = app.get("/readyz").send().await;
    res.problem(503);
    assert!(
        res.header("retry-after")
            .is_some_and(|s| s.parse::<u32>().is_ok_and(|s| s > 0)),
        "Retry-After in seconds: {:?}",
        res.header("retry-after")
    );
    assert_discreet(&res);

    drop(held);
    let res = app.get("/readyz").send().await;
    assert_eq!(res.status, 200, "ready again once the connection is back");
}

#[actix_web::test]
async fn an_authenticated_request_without_a_free_connection_is_503_with_retry_after() {
    let app = scarce_app().await;
    let token = app.admin_token();
    let held = app.state.pool.get().expect("the only connection");

    for res in [
        app.get(CLIENTS).token(&token).send().await,
        app.post(CLIENTS)
            .token(&token)
            .json(json!({"name": "Acme"}))
            .send()
            .await,
    ] {
        res.problem(503);
        assert!(res.header("retry-after").is_some());
        assert_discreet(&res);
    }

    drop(held);
    let res = app.get(CLIENTS).token(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["data"],
        json!([]),
        "the refused create wrote nothing"
    );
}
