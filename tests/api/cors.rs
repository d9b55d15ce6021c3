//! CORS: a page on another origin can call every operation and read what it needs.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::*;

const FRONTEND: &str = "http://localhost:18101";
const OTHER_FRONTEND: &str = "https://app.suits.test";
const STRANGER: &str = "https://evil.example";

async fn spawn() -> TestApp {
    TestApp::spawn_with(&[(
        "SUITS_CORS_ORIGINS",
        &format!("{FRONTEND}, {OTHER_FRONTEND}"),
    )])
    .await
}

fn preflight<'a>(app: &'a TestApp, path: &str, origin: &str, method: &str) -> Req<'a> {
    app.request(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", method)
}

fn listed(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

/// No header that would let a page read the answer. (actix-cors lists the exposed headers
/// on every response; without `Access-Control-Allow-Origin` a browser ignores that list.)
#[track_caller]
fn assert_not_readable(res: &Resp) {
    for name in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
    ] {
        assert!(
            res.header(name).is_none(),
            "{name} is present: {:?}",
            res.headers
        );
    }
}

#[track_caller]
fn assert_no_cors_headers(res: &Resp) {
    for name in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-allow-credentials",
        "access-control-expose-headers",
    ] {
        assert!(
            res.header(name).is_none(),
            "{name} is present: {:?}",
            res.headers
        );
    }
}

#[track_caller]
fn assert_readable_by(res: &Resp, origin: &str) {
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some(origin),
        "{:?}",
        res.headers
    );
    assert!(
        res.header("access-control-allow-credentials").is_none(),
        "no credentials mode"
    );
    let exposed = listed(res.header("access-control-expose-headers"));
    for name in ["etag", "link", "location", "x-request-id", "retry-after"] {
        assert!(
            exposed.contains(&name.to_owned()),
            "{name} not exposed: {exposed:?}"
        );
    }
    assert!(
        listed(res.header("vary")).contains(&"origin".to_owned()),
        "caches must key on Origin: {:?}",
        res.headers
    );
}

#[actix_web::test]
async fn every_operation_in_the_spec_answers_a_preflight_from_an_allowed_origin() {
    let app = spawn().await;
    let spec = app.get("/api/v1/openapi.json").send().await.json();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let concrete: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let method = method.to_ascii_uppercase();
            let res = preflight(&app, &concrete, FRONTEND, &method)
                .header(
                    "access-control-request-headers",
                    "authorization, content-type, if-match, if-none-match, idempotency-key, x-request-id",
                )
                .send()
                .await;
            assert_eq!(res.status, 200, "{method} {concrete}: {}", res.text());
            assert_eq!(res.header("access-control-allow-origin"), Some(FRONTEND));
            assert!(
                listed(res.header("access-control-allow-methods"))
                    .contains(&method.to_ascii_lowercase()),
                "{method} {concrete}: {:?}",
                res.headers
            );
            let headers = listed(res.header("access-control-allow-headers"));
            for name in [
                "authorization",
                "content-type",
                "if-match",
                "if-none-match",
                "idempotency-key",
                "x-request-id",
            ] {
                assert!(headers.contains(&name.to_owned()), "{name}: {headers:?}");
            }
            let max_age: u64 = res
                .header("access-control-max-age")
                .expect("max-age")
                .parse()
                .unwrap();
            assert!((60..=7200).contains(&max_age), "max-age {max_age}");
            assert!(res.header("x-request-id").is_some());
            assert!(res.header("access-control-allow-credentials").is_none());
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} operations");
}

#[actix_web::test]
async fn every_configured_origin_is_allowed_and_echoed_not_a_wildcard() {
    let app = spawn().await;
    let res = preflight(&app, "/api/v1/clients", OTHER_FRONTEND, "POST")
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some(OTHER_FRONTEND)
    );
}

#[actix_web::test]
async fn another_origin_gets_no_cors_headers_on_a_preflight_or_a_request() {
    let app = spawn().await;
    let res = preflight(&app, "/api/v1/clients", STRANGER, "GET")
        .send()
        .await;
    let problem = res.problem(400);
    assert!(
        problem["detail"].as_str().unwrap().contains("Origin"),
        "{problem}"
    );
    assert_no_cors_headers(&res);

    // The request itself is served (curl and servers send any Origin they like); only a
    // browser withholds the answer from the page.
    let res = app
        .get("/api/v1/me")
        .token(&app.admin_token())
        .header("origin", STRANGER)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_not_readable(&res);
}

#[actix_web::test]
async fn without_configured_origins_no_origin_is_allowed() {
    let app = TestApp::spawn().await;
    let res = preflight(&app, "/api/v1/clients", FRONTEND, "GET")
        .send()
        .await;
    res.problem(400);
    assert_no_cors_headers(&res);
    let res = app
        .get("/api/v1/me")
        .token(&app.admin_token())
        .header("origin", FRONTEND)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_not_readable(&res);
}

#[actix_web::test]
async fn a_preflight_for_a_method_or_header_not_allowed_is_a_problem() {
    let app = spawn().await;
    let res = preflight(&app, "/api/v1/clients", FRONTEND, "TRACE")
        .send()
        .await;
    res.problem(400);
    assert!(res.header("access-control-allow-methods").is_none());

    let res = preflight(&app, "/api/v1/clients", FRONTEND, "GET")
        .header("access-control-request-headers", "x-not-allowed")
        .send()
        .await;
    res.problem(400);
    assert!(res.header("access-control-allow-headers").is_none());
}

#[actix_web::test]
async fn responses_to_an_allowed_origin_expose_etag_location_link_and_request_id() {
    let app = spawn().await;
    let token = app.admin_token();
    let created = app
        .post("/api/v1/clients")
        .token(&token)
        .header("origin", FRONTEND)
        .json(json!({"name": "Acme Foods"}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_readable_by(&created, FRONTEND);
    assert!(created.header("location").is_some() && created.header("etag").is_some());

    app.client("Globex").await;
    let page = app
        .get("/api/v1/clients?limit=1")
        .token(&token)
        .header("origin", FRONTEND)
        .send()
        .await;
    assert_eq!(page.status, 200);
    assert_readable_by(&page, FRONTEND);
    assert!(page.header("link").is_some());
}

#[actix_web::test]
async fn error_responses_to_an_allowed_origin_are_readable_problems() {
    let app = spawn().await;
    let (_, coordinator) = app.staff("account_coordinator").await;
    let admin = app.admin_token();
    let staff = json!({"email": "x@suits.test", "full_name": "X", "role": "admin", "password": STAFF_PASSWORD});
    let cases = [
        (401, app.get("/api/v1/me")),
        (
            403,
            app.post("/api/v1/staff").token(&coordinator).json(staff),
        ),
        (404, app.get("/api/v1/clients/987654").token(&admin)),
        (404, app.get("/api/v1/no-such-thing")),
        (405, app.delete("/api/v1/auth/token")),
        (
            422,
            app.post("/api/v1/clients")
                .token(&admin)
                .json(json!({"name": ""})),
        ),
    ];
    for (status, req) in cases {
        let res = req.header("origin", FRONTEND).send().await;
        res.problem(status);
        assert_readable_by(&res, FRONTEND);
    }
}

#[test]
fn malformed_origins_are_refused_at_startup() {
    let config = |origins: &str| {
        let origins = origins.to_owned();
        suits::config::Config::from_lookup(move |key| {
            (key == "SUITS_CORS_ORIGINS").then(|| origins.clone())
        })
    };
    for bad in [
        "*",
        "https://*.example.com",
        "localhost:3000",
        "ftp://files.example.com",
        "http://localhost:3000/",
        "https://app.example.com/path",
        "https://App.Example.com",
        "https://app.example.com:443",
        "https://user@app.example.com",
        "http://",
        "http://localhost:3000, nonsense",
    ] {
        let err = config(bad).expect_err(bad);
        assert!(err.contains("SUITS_CORS_ORIGINS"), "{bad}: {err}");
    }
    let ok = config(" http://localhost:18101 ,https://app.example.com:8443,").unwrap();
    assert_eq!(
        ok.cors_origins,
        ["http://localhost:18101", "https://app.example.com:8443"]
    );
    assert!(config("").unwrap().cors_origins.is_empty());
}
