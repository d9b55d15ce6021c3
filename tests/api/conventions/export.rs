//! Every list answers `Accept: text/csv` alike: every row its filters match in the
//! caller's scope (not one page), streamed in batches, with a header row; JSON stays the
//! answer to `*/*`, to no `Accept`, and to a preference for JSON.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use super::*;

const CLIENTS: &str = "/api/v1/clients";

fn lists() -> Vec<Operation> {
    having(
        |op| op.query.iter().any(|(name, _)| name == "cursor"),
        4,
        "with a cursor",
    )
}

/// The header and the rows of a CSV answer.
fn read_csv(res: &Resp) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(
        res.header("content-type"),
        Some("text/csv; charset=utf-8"),
        "{}",
        res.text()
    );
    let mut reader = csv::Reader::from_reader(res.body.as_slice());
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn varies_by_accept(res: &Resp) -> bool {
    res.header("vary")
        .is_some_and(|vary| vary.split(',').any(|name| name.trim() == "Accept"))
}

fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<String> {
    let at = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|row| row[at].clone()).collect()
}

async fn export(app: &TestApp, token: &str, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let res = app
        .get(path)
        .token(token)
        .header("accept", "text/csv")
        .send()
        .await;
    read_csv(&res)
}

#[actix_web::test]
async fn every_list_documents_its_csv_and_exports_every_row_it_pages_through() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let admin = app.admin_token();
    let spec = suits::openapi::document();
    for op in lists() {
        let (method, path) = (op.method.as_str().to_ascii_lowercase(), &op.path);
        let csv = &spec["paths"][path][&method]["responses"]["200"]["content"]["text/csv"];
        assert_eq!(
            csv["schema"]["type"], "string",
            "{}: text/csv documented",
            op.id
        );
        // A list's recipe names where it stands; make sure it has a few rows.
        let call = fresh_call(&app, &cast, &op).await;
        fresh_call(&app, &cast, &op).await;
        fresh_call(&app, &cast, &op).await;
        // A list no recipe's records fill (service accounts) gets items of its own.
        let maker = recipe_for(&op).ok().and_then(|r| r.items);
        if let Some(maker) = spec_operations()
            .into_iter()
            .find(|o| Some(o.id.as_str()) == maker)
        {
            for _ in 0..3 {
                let res = fresh_call(&app, &cast, &maker)
                    .await
                    .request(&app)
                    .token(&admin)
                    .send()
                    .await;
                assert!(res.status.is_success(), "{}: {}", maker.id, res.text());
            }
        }
        let base = call.path.split('?').next().expect("a path").to_owned();
        let mut ids = 0;
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("{base}?limit=2&cursor={c}"),
                None => format!("{base}?limit=2"),
            };
            let page = app.get(&query).token(&admin).send().await;
            assert_eq!(page.status, StatusCode::OK, "{}: {}", op.id, page.text());
            assert!(varies_by_accept(&page), "{}", op.id);
            let body = page.json();
            ids += body["data"].as_array().expect("data").len();
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert!(ids > 2, "{}: more rows than one batch of two", op.id);
        // Read two rows at a time, all of them come, once each.
        let res = app
            .get(&format!("{base}?limit=2"))
            .token(&admin)
            .header("accept", "text/csv")
            .send()
            .await;
        assert!(varies_by_accept(&res), "{}", op.id);
        let (header, rows) = read_csv(&res);
        assert_eq!(rows.len(), ids, "{}: every row exported", op.id);
        let mut exported = column(&header, &rows, "id");
        exported.sort();
        exported.dedup();
        assert_eq!(exported.len(), ids, "{}: no row twice", op.id);
        assert!(
            !header.iter().any(|h| h == "allowed_actions"),
            "{}: the caller's actions are no column of the record",
            op.id
        );
    }
}

#[actix_web::test]
async fn an_export_has_the_record_columns_and_nested_amounts_as_columns_of_their_own() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .post("/api/v1/accounts")
        .token(&app.admin_token())
        .json(json!({"client_id": client["id"], "name": "Snacks",
            "budget": {"amount_minor": 2500, "currency": "EUR"}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let (header, rows) = export(&app, &app.admin_token(), "/api/v1/accounts").await;
    assert_eq!(column(&header, &rows, "budget.amount_minor"), ["2500"]);
    assert_eq!(column(&header, &rows, "budget.currency"), ["EUR"]);
    // No threshold: the columns are there all the same, empty.
    assert_eq!(
        column(&header, &rows, "payment_approval_threshold.currency"),
        [""]
    );
    assert_eq!(
        column(&header, &rows, "client_id"),
        [client["id"].to_string()]
    );

    let (header, rows) = export(&app, &app.admin_token(), &format!("{CLIENTS}?q=nobody")).await;
    assert!(rows.is_empty());
    for name in ["id", "name", "external_ref", "status", "health", "website"] {
        assert!(header.iter().any(|h| h == name), "{name} in {header:?}");
    }
}

#[actix_web::test]
async fn an_export_keeps_to_the_filters_and_the_order() {
    let app = TestApp::spawn().await;
    for name in ["Delta", "Alpha", "Charlie", "Bravo", "Echo"] {
        app.client(name).await;
    }
    let gone = app.client("Foxtrot").await;
    let res = app
        .patch(&format!("{CLIENTS}/{}", gone["id"]))
        .token(&app.admin_token())
        .json(json!({"status": "inactive"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let token = app.admin_token();
    let path = format!("{CLIENTS}?status=prospect&sort=-name&limit=2");
    let (header, rows) = export(&app, &token, &path).await;
    assert_eq!(
        column(&header, &rows, "name"),
        ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
    );
}

#[actix_web::test]
async fn an_export_holds_only_what_the_caller_may_see() {
    let app = TestApp::spawn().await;
    let mine = app.client("Mine").await;
    app.client("Theirs").await;
    let account = app.account(&mine["id"], "Mine's account").await;
    let (manager, token) = app.staff("account_manager").await;
    app.assign(&account["id"], manager).await;
    let (header, rows) = export(&app, &token, CLIENTS).await;
    assert_eq!(column(&header, &rows, "name"), ["Mine"]);
    let (header, rows) = export(&app, &token, "/api/v1/accounts").await;
    assert_eq!(column(&header, &rows, "name"), ["Mine's account"]);
}

#[actix_web::test]
async fn json_stays_the_answer_unless_csv_is_preferred() {
    let app = TestApp::spawn().await;
    app.client("Acme").await;
    let token = app.admin_token();
    for accept in [
        None,
        Some("*/*"),
        Some("application/json"),
        Some("application/json, text/csv"),
        Some("text/csv;q=0.5, application/json"),
        Some("text/html"),
    ] {
        let req = app.get(CLIENTS).token(&token);
        let req = match accept {
            Some(accept) => req.header("accept", accept),
            None => req,
        };
        let res = req.send().await;
        assert_eq!(res.status, StatusCode::OK, "{accept:?}");
        assert_eq!(res.json()["data"][0]["name"], "Acme", "{accept:?}");
    }
    for accept in ["text/csv", "text/*", "text/csv, application/json;q=0.9"] {
        let res = app
            .get(CLIENTS)
            .token(&token)
            .header("accept", accept)
            .send()
            .await;
        let (header, rows) = read_csv(&res);
        assert_eq!(column(&header, &rows, "name"), ["Acme"], "{accept}");
    }
}

#[actix_web::test]
async fn head_of_an_export_has_its_type_and_no_body() {
    let app = TestApp::spawn().await;
    app.client("Acme").await;
    let res = app
        .request(Method::HEAD, CLIENTS)
        .token(&app.admin_token())
        .header("accept", "text/csv")
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(res.body.is_empty());
}

#[actix_web::test]
async fn an_export_is_refused_like_the_list() {
    let app = TestApp::spawn().await;
    let (_, coordinator) = app.staff("account_coordinator").await;
    let res = app
        .get("/api/v1/audit-events")
        .token(&coordinator)
        .header("accept", "text/csv")
        .send()
        .await;
    res.problem(403);
    let res = app
        .get(&format!("{CLIENTS}?limit=0"))
        .token(&app.admin_token())
        .header("accept", "text/csv")
        .send()
        .await;
    res.problem(400);
}
