//! `/api/v1/clients`: every operation, and every error a user can run into there.

use serde_json::{json, Value};

use crate::helpers::*;

const CLIENTS: &str = "/api/v1/clients";

fn client_url(id: &Value) -> String {
    format!("{CLIENTS}/{}", id.as_i64().expect("numeric id"))
}

async fn create(app: &TestApp, body: Value) -> Resp {
    app.post(CLIENTS)
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

async fn list(app: &TestApp, query: &str) -> Resp {
    app.get(&format!("{CLIENTS}?{query}"))
        .token(&app.admin_token())
        .send()
        .await
}

/// Every page of `query`, as the admin lists clients.
async fn walk(app: &TestApp, query: &str) -> Vec<Vec<String>> {
    walk_pages(app, &app.admin_token(), CLIENTS, query).await
}

/// The audit events recorded for one client, oldest first.
async fn audit_events(app: &TestApp, id: &Value) -> Vec<Value> {
    audit_trail(app, "client", &id.to_string()).await
}

fn error<'a>(problem: &'a Value, field: &str) -> &'a Value {
    problem["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("no error for field {field}: {problem}"))
}

/// Asserts a 422 naming `field` with `code`, with a human-readable message.
#[track_caller]
fn assert_invalid(res: &Resp, field: &str, code: &str) -> Value {
    let problem = res.problem(422);
    let e = error(&problem, field);
    assert_eq!(e["code"], code, "{problem}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{problem}"
    );
    problem
}

// ---------------------------------------------------------------------------------------
// Create and read

#[actix_web::test]
async fn create_answers_201_with_location_etag_and_defaults() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme Foods"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let client = res.json();
    let id = client["id"].as_i64().expect("id");
    assert_eq!(
        res.header("location"),
        Some(format!("{CLIENTS}/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(client["name"], "Acme Foods");
    assert_eq!(client["status"], "prospect");
    assert_eq!(client["health"], "good");
    assert_eq!(client["version"], 1);
    for nullable in [
        "legal_name",
        "industry",
        "website",
        "health_note",
        "primary_contact_name",
        "primary_contact_email",
        "primary_contact_phone",
        "external_ref",
    ] {
        assert_eq!(client[nullable], Value::Null, "{nullable}");
    }
    assert!(client["created_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert_eq!(client["created_at"], client["updated_at"]);
}

#[actix_web::test]
async fn create_stores_every_field_given() {
    let app = TestApp::spawn().await;
    let input = json!({
        "name": "Acme Foods",
        "legal_name": "Acme Foods S.p.A.",
        "industry": "Food & beverage",
        "website": "https://acme.example",
        "status": "active",
        "health": "watch",
        "health_note": "Unhappy with the last campaign's timing",
        "primary_contact_name": "Giulia Rossi",
        "primary_contact_email": "giulia.rossi@acme.example",
        "primary_contact_phone": "+39 02 1234567",
        "external_ref": "ACC-0042",
    });
    let res = create(&app, input.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let client = res.json();
    for (field, value) in input.as_object().unwrap() {
        assert_eq!(&client[field], value, "{field}");
    }
}

#[actix_web::test]
async fn get_returns_the_created_client_with_the_same_etag() {
    let app = TestApp::spawn().await;
    let created = create(&app, json!({"name": "Acme Foods", "industry": "Food"})).await;
    let client = created.json();
    let res = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), client);
    assert_eq!(res.header("etag"), created.header("etag"));
}

#[actix_web::test]
async fn create_trims_the_name() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "  Acme Foods \t"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["name"], "Acme Foods");
}

#[actix_web::test]
async fn create_accepts_json_with_a_charset_parameter() {
    let app = TestApp::spawn().await;
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body(
            "application/json; charset=utf-8",
            json!({"name": "Acme"}).to_string(),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
}

// ---------------------------------------------------------------------------------------
// Validation

#[actix_web::test]
async fn create_with_an_empty_name_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": ""})).await;
    let problem = res.problem(422);
    assert_eq!(res.error_fields(), ["name"], "{problem}");
    let code = &error(&problem, "name")["code"];
    assert!(code == "length" || code == "blank", "{problem}");
}

#[actix_web::test]
async fn create_with_a_blank_name_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "   "})).await;
    assert_invalid(&res, "name", "blank");
}

#[actix_web::test]
async fn create_without_a_name_is_422_required() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"industry": "Food"})).await;
    assert_invalid(&res, "name", "required");
}

#[actix_web::test]
async fn create_with_a_too_long_name_is_422() {
    let app = TestApp::spawn().await;
    assert_eq!(
        create(&app, json!({"name": "x".repeat(200)})).await.status,
        201
    );
    let res = create(&app, json!({"name": "y".repeat(201)})).await;
    assert_invalid(&res, "name", "length");
}

#[actix_web::test]
async fn a_website_must_be_an_http_or_https_address() {
    let app = TestApp::spawn().await;
    for bad in [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://files.acme.example",
        "https://",
    ] {
        let res = create(&app, json!({"name": "Acme", "website": bad})).await;
        assert_invalid(&res, "website", "url");
        let message = res.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("http or https"), "{bad}: {message}");
    }
    for (i, good) in [
        "https://acme.example",
        "http://acme.example/about?x=1",
        "HTTPS://ACME.EXAMPLE",
    ]
    .iter()
    .enumerate()
    {
        let res = create(&app, json!({"name": format!("Acme {i}"), "website": good})).await;
        assert_eq!(res.status, 201, "{good}: {}", res.text());
    }
    let id = create(&app, json!({"name": "Globex"})).await.json()["id"].clone();
    let res = app
        .patch(&format!("/api/v1/clients/{id}"))
        .token(&app.admin_token())
        .json(json!({"website": "javascript:alert(1)"}))
        .send()
        .await;
    assert_invalid(&res, "website", "url");
}

#[actix_web::test]
async fn create_with_a_website_that_is_not_a_url_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "website": "acme dot com"})).await;
    assert_invalid(&res, "website", "url");
}

#[actix_web::test]
async fn create_with_a_bad_contact_email_is_422() {
    let app = TestApp::spawn().await;
    let res = create(
        &app,
        json!({"name": "Acme", "primary_contact_email": "giulia-at-acme"}),
    )
    .await;
    assert_invalid(&res, "primary_contact_email", "email");
}

#[actix_web::test]
async fn create_with_an_unknown_field_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "colour": "red"})).await;
    assert_invalid(&res, "colour", "unknown_field");
}

#[actix_web::test]
async fn create_with_a_wrongly_typed_field_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": 5})).await;
    assert_invalid(&res, "name", "type");
}

#[actix_web::test]
async fn create_with_an_unknown_enum_value_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "status": "dormant"})).await;
    let problem = assert_invalid(&res, "status", "type");
    let message = error(&problem, "status")["message"].as_str().unwrap();
    assert!(
        message.contains("prospect"),
        "the message lists the valid values: {message}"
    );
    let res = create(&app, json!({"name": "Acme", "health": "great"})).await;
    assert_invalid(&res, "health", "type");
}

#[actix_web::test]
async fn create_reports_every_invalid_field_at_once() {
    let app = TestApp::spawn().await;
    let res = create(
        &app,
        json!({
            "name": " ",
            "website": "not a url",
            "primary_contact_email": "nobody",
            "industry": "i".repeat(101),
        }),
    )
    .await;
    let problem = res.problem(422);
    let mut fields = res.error_fields();
    fields.dedup();
    assert_eq!(
        fields,
        ["industry", "name", "primary_contact_email", "website"],
        "{problem}"
    );
}

#[actix_web::test]
async fn create_with_an_empty_external_ref_is_422() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "external_ref": ""})).await;
    assert_invalid(&res, "external_ref", "length");
}

// ---------------------------------------------------------------------------------------
// Uniqueness

#[actix_web::test]
async fn create_with_a_taken_name_is_409_on_name() {
    let app = TestApp::spawn().await;
    app.client("Acme Foods").await;
    let res = create(&app, json!({"name": "Acme Foods"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "unique", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_name_in_other_case_is_409_on_name() {
    let app = TestApp::spawn().await;
    app.client("Acme Foods").await;
    let res = create(&app, json!({"name": " ACME foods "})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_non_ascii_name_is_409_on_name() {
    let app = TestApp::spawn().await;
    app.client("École Bistrot").await;
    let res = create(&app, json!({"name": "École Bistrot"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_non_ascii_name_in_other_case_is_409() {
    let app = TestApp::spawn().await;
    app.client("École Bistrot").await;
    let res = create(&app, json!({"name": "école bistrot"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn create_with_a_taken_external_ref_is_409_on_external_ref() {
    let app = TestApp::spawn().await;
    let first = create(&app, json!({"name": "Acme", "external_ref": "ACC-1"})).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let res = create(&app, json!({"name": "Globex", "external_ref": "ACC-1"})).await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "external_ref", "{problem}");
}

#[actix_web::test]
async fn patch_to_another_clients_name_is_409() {
    let app = TestApp::spawn().await;
    app.client("Acme").await;
    let globex = app.client("Globex").await;
    let res = app
        .patch(&client_url(&globex["id"]))
        .token(&app.admin_token())
        .json(json!({"name": "acme"}))
        .send()
        .await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
}

#[actix_web::test]
async fn patch_to_another_clients_external_ref_is_409() {
    let app = TestApp::spawn().await;
    create(&app, json!({"name": "Acme", "external_ref": "ACC-1"})).await;
    let globex = app.client("Globex").await;
    let res = app
        .patch(&client_url(&globex["id"]))
        .token(&app.admin_token())
        .json(json!({"external_ref": "ACC-1"}))
        .send()
        .await;
    let problem = res.problem(409);
    assert_eq!(problem["errors"][0]["field"], "external_ref", "{problem}");
}

#[actix_web::test]
async fn patch_may_change_the_case_of_its_own_name() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    let res = app
        .patch(&client_url(&acme["id"]))
        .token(&app.admin_token())
        .json(json!({"name": "ACME"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["name"], "ACME");
}

// ---------------------------------------------------------------------------------------
// List: paging

#[actix_web::test]
async fn list_returns_50_by_default_and_at_most_200() {
    let app = TestApp::spawn().await;
    for i in 0..55 {
        app.client(&format!("Client {i:02}")).await;
    }
    let res = list(&app, "").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 50);
    assert!(body["next_cursor"].is_string());

    let res = list(&app, "limit=200").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["data"].as_array().unwrap().len(), 55);
    assert_eq!(res.json()["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn list_limit_over_200_is_400() {
    let app = TestApp::spawn().await;
    let problem = list(&app, "limit=201").await.problem(400);
    assert!(
        problem["detail"].as_str().unwrap().contains("200"),
        "{problem}"
    );
}

#[actix_web::test]
async fn list_limit_zero_or_not_a_number_is_400() {
    let app = TestApp::spawn().await;
    for query in ["limit=0", "limit=-1", "limit=ten"] {
        list(&app, query).await.problem(400);
    }
}

#[actix_web::test]
async fn list_with_an_unknown_query_parameter_is_400() {
    let app = TestApp::spawn().await;
    let problem = list(&app, "colour=red").await.problem(400);
    assert!(
        problem["detail"].as_str().unwrap().contains("colour"),
        "{problem}"
    );
}

#[actix_web::test]
async fn list_with_a_bad_cursor_is_400() {
    let app = TestApp::spawn().await;
    for cursor in ["garbage", "eyJzIjoxfQ", "%%%"] {
        list(&app, &format!("cursor={cursor}")).await.problem(400);
    }
}

#[actix_web::test]
async fn list_cursor_reused_with_another_sort_is_400() {
    let app = TestApp::spawn().await;
    for name in ["Alpha", "Bravo", "Charlie"] {
        app.client(name).await;
    }
    let first = list(&app, "limit=1&sort=name").await.json();
    let cursor = first["next_cursor"].as_str().expect("a next page");
    for sort in ["-name", "created_at", "updated_at"] {
        list(&app, &format!("limit=1&sort={sort}&cursor={cursor}"))
            .await
            .problem(400);
    }
    let res = list(&app, &format!("limit=1&sort=name&cursor={cursor}")).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn list_with_a_bad_updated_since_is_400() {
    let app = TestApp::spawn().await;
    for raw in ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01"] {
        list(&app, &format!("updated_since={raw}"))
            .await
            .problem(400);
    }
}

#[actix_web::test]
async fn list_walks_every_page_exactly_once() {
    let app = TestApp::spawn().await;
    let mut created = Vec::new();
    for i in 1..=7 {
        created.push(app.client(&format!("Client {i}")).await["name"].clone());
    }
    let pages = walk(&app, "limit=3").await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let all: Vec<String> = pages.concat();
    let expected: Vec<String> = created
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all, expected, "oldest first, no overlap, no gaps");
}

#[actix_web::test]
async fn list_link_header_followed_as_is_gives_the_next_page() {
    let app = TestApp::spawn().await;
    for i in 1..=5 {
        app.client(&format!("Client {i}")).await;
    }
    let first = list(&app, "limit=2&sort=name&q=client").await;
    let body = first.json();
    let link = first.header("link").expect("Link header").to_owned();
    let url = link
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix(">; rel=\"next\""))
        .unwrap_or_else(|| panic!("Link is not one rel=next link: {link}"));
    assert!(url.starts_with("/api/v1/clients?"), "{url}");
    assert!(
        url.contains(&format!("cursor={}", body["next_cursor"].as_str().unwrap())),
        "{url}"
    );
    let next = app.get(url).token(&app.admin_token()).send().await;
    assert_eq!(next.status, 200, "{}", next.text());
    assert_eq!(names(&next.json()), ["Client 3", "Client 4"]);
    assert!(next.header("link").is_some());

    let last = list(&app, "limit=5").await;
    assert_eq!(last.json()["next_cursor"], Value::Null);
    assert!(last.header("link").is_none());
}

#[actix_web::test]
async fn list_link_header_keeps_the_filters() {
    let app = TestApp::spawn().await;
    for name in ["50% Off A", "50% Off B", "50% Off C", "Fifty Off"] {
        app.client(name).await;
    }
    let first = list(&app, &format!("limit=2&q={}", encode("% off"))).await;
    assert_eq!(names(&first.json()), ["50% Off A", "50% Off B"]);
    let link = first.header("link").expect("Link header").to_owned();
    let url = link
        .strip_prefix('<')
        .and_then(|l| l.split_once('>'))
        .map(|(url, _)| url.to_owned())
        .unwrap();
    let next = app.get(&url).token(&app.admin_token()).send().await;
    assert_eq!(next.status, 200, "{url}: {}", next.text());
    assert_eq!(names(&next.json()), ["50% Off C"], "{url}");
}

// ---------------------------------------------------------------------------------------
// List: sorting

/// Single capitalised words, so that every collation orders them the same way.
const UNSORTED: [&str; 7] = [
    "Delta", "Alpha", "Golf", "Charlie", "Foxtrot", "Bravo", "Echo",
];

#[actix_web::test]
async fn list_sorts_by_name_and_paginates_in_that_order() {
    let app = TestApp::spawn().await;
    for name in UNSORTED {
        app.client(name).await;
    }
    let mut sorted: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    let pages = walk(&app, "limit=3&sort=name").await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    assert_eq!(pages.concat(), sorted);
}

#[actix_web::test]
async fn list_sorts_by_name_descending_and_paginates_in_that_order() {
    let app = TestApp::spawn().await;
    for name in UNSORTED {
        app.client(name).await;
    }
    let mut sorted: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    sorted.reverse();
    assert_eq!(walk(&app, "limit=2&sort=-name").await.concat(), sorted);
}

#[actix_web::test]
async fn list_sorts_newest_first_and_paginates_in_that_order() {
    let app = TestApp::spawn().await;
    for name in UNSORTED {
        app.client(name).await;
    }
    let newest_first: Vec<String> = UNSORTED.iter().rev().map(|s| s.to_string()).collect();
    assert_eq!(
        walk(&app, "limit=3&sort=-created_at").await.concat(),
        newest_first
    );
    let oldest_first: Vec<String> = UNSORTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        walk(&app, "limit=3&sort=created_at").await.concat(),
        oldest_first
    );
}

#[actix_web::test]
async fn list_sorts_by_updated_at_and_paginates_in_that_order() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        ids.push(app.client(name).await["id"].clone());
    }
    for id in [&ids[1], &ids[3]] {
        let res = app
            .patch(&client_url(id))
            .token(&app.admin_token())
            .json(json!({"status": "active"}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    assert_eq!(
        walk(&app, "limit=2&sort=updated_at").await.concat(),
        ["Alpha", "Charlie", "Echo", "Bravo", "Delta"]
    );
    assert_eq!(
        walk(&app, "limit=2&sort=-updated_at").await.concat(),
        ["Delta", "Bravo", "Echo", "Charlie", "Alpha"]
    );
}

#[actix_web::test]
async fn list_with_an_unknown_sort_is_400() {
    let app = TestApp::spawn().await;
    for sort in ["colour", "-colour", "--name", "website"] {
        let problem = list(&app, &format!("sort={sort}")).await.problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains("name"),
            "{problem}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// List: filters

#[actix_web::test]
async fn list_filters_by_status_health_and_industry() {
    let app = TestApp::spawn().await;
    create(
        &app,
        json!({"name": "Acme", "status": "active", "industry": "Food"}),
    )
    .await;
    create(
        &app,
        json!({"name": "Globex", "health": "at_risk", "industry": "Energy"}),
    )
    .await;
    create(
        &app,
        json!({"name": "Initech", "status": "active", "health": "at_risk", "industry": "Food"}),
    )
    .await;
    create(&app, json!({"name": "Umbrella", "status": "inactive"})).await;

    let names_for = |query: &'static str| {
        let app = &app;
        async move {
            let res = list(app, query).await;
            assert_eq!(res.status, 200, "{query}: {}", res.text());
            names(&res.json())
        }
    };
    assert_eq!(names_for("status=active").await, ["Acme", "Initech"]);
    assert_eq!(names_for("status=inactive").await, ["Umbrella"]);
    assert_eq!(names_for("status=prospect").await, ["Globex"]);
    assert_eq!(names_for("health=at_risk").await, ["Globex", "Initech"]);
    assert_eq!(names_for("health=watch").await, Vec::<String>::new());
    assert_eq!(names_for("industry=Food").await, ["Acme", "Initech"]);
    assert_eq!(names_for("industry=food").await, Vec::<String>::new());
    assert_eq!(
        names_for("status=active&health=at_risk").await,
        ["Initech"],
        "filters combine with AND"
    );
}

#[actix_web::test]
async fn list_with_an_unknown_status_or_health_is_400() {
    let app = TestApp::spawn().await;
    list(&app, "status=dormant").await.problem(400);
    list(&app, "health=great").await.problem(400);
}

#[actix_web::test]
async fn list_q_matches_a_substring_of_the_name_ignoring_case() {
    let app = TestApp::spawn().await;
    for name in ["Acme Foods", "Foodies Inc", "Globex", "SEAFOOD Ltd"] {
        app.client(name).await;
    }
    let res = list(&app, "q=fOOd").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        names(&res.json()),
        ["Acme Foods", "Foodies Inc", "SEAFOOD Ltd"]
    );
    let problem = list(&app, "q=").await.problem(400);
    assert_eq!(
        problem["errors"][0]["field"], "q",
        "an empty q is refused, not ignored"
    );
}

#[actix_web::test]
async fn list_q_matches_percent_and_underscore_literally() {
    let app = TestApp::spawn().await;
    for name in [
        "100% Organic",
        "100 Organic",
        "Snake_Case Co",
        "SnakeXCase Co",
        "Back\\slash",
    ] {
        app.client(name).await;
    }
    let by_q = |q: &'static str| {
        let app = &app;
        async move { names(&list(app, &format!("q={}", encode(q))).await.json()) }
    };
    assert_eq!(by_q("%").await, ["100% Organic"]);
    assert_eq!(by_q("0%").await, ["100% Organic"]);
    assert_eq!(by_q("_").await, ["Snake_Case Co"]);
    assert_eq!(by_q("e_c").await, ["Snake_Case Co"]);
    assert_eq!(by_q("\\").await, ["Back\\slash"]);
}

#[actix_web::test]
async fn list_q_matches_non_ascii_names_ignoring_case() {
    let app = TestApp::spawn().await;
    app.client("École Bistrot").await;
    for q in ["École", "école", "ÉCOLE"] {
        let res = list(&app, &format!("q={}", encode(q))).await;
        assert_eq!(names(&res.json()), ["École Bistrot"], "q={q}");
    }
}

#[actix_web::test]
async fn list_filters_by_updated_since() {
    let app = TestApp::spawn().await;
    let acme = app.client("Acme").await;
    app.client("Globex").await;
    let updated = app
        .patch(&client_url(&acme["id"]))
        .token(&app.admin_token())
        .json(json!({"status": "active"}))
        .send()
        .await
        .json();
    let since = updated["updated_at"].as_str().unwrap();
    let res = list(&app, &format!("updated_since={}", encode(since))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(names(&res.json()), ["Acme"], "at or after {since}");

    let res = list(&app, "updated_since=2000-01-01T00:00:00%2B02:00").await;
    assert_eq!(names(&res.json()), ["Acme", "Globex"]);
    let res = list(&app, "updated_since=2999-01-01T00:00:00Z").await;
    assert_eq!(names(&res.json()), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Update

async fn patch(app: &TestApp, client: &Value, body: Value) -> Resp {
    app.patch(&client_url(&client["id"]))
        .token(&app.admin_token())
        .json(body)
        .send()
        .await
}

#[actix_web::test]
async fn patch_changes_only_the_fields_given_and_null_clears() {
    let app = TestApp::spawn().await;
    let client = create(
        &app,
        json!({
            "name": "Acme", "legal_name": "Acme S.p.A.", "industry": "Food",
            "website": "https://acme.example", "primary_contact_name": "Giulia Rossi",
        }),
    )
    .await
    .json();
    let res = patch(
        &app,
        &client,
        json!({"industry": "Retail", "website": null, "status": "active"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let updated = res.json();
    assert_eq!(updated["industry"], "Retail");
    assert_eq!(updated["website"], Value::Null);
    assert_eq!(updated["status"], "active");
    assert_eq!(updated["name"], "Acme");
    assert_eq!(updated["legal_name"], "Acme S.p.A.");
    assert_eq!(updated["primary_contact_name"], "Giulia Rossi");
    assert_eq!(updated["health"], "good");
    assert_eq!(updated["created_at"], client["created_at"]);

    let stored = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await
        .json();
    assert_eq!(stored, updated);
}

#[actix_web::test]
async fn patch_with_a_null_name_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({"name": null})).await;
    let problem = res.problem(422);
    assert_eq!(res.error_fields(), ["name"], "{problem}");
    let res = patch(&app, &client, json!({"status": null})).await;
    res.problem(422);
}

#[actix_web::test]
async fn patch_validates_like_create() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    assert_invalid(
        &patch(&app, &client, json!({"name": "  "})).await,
        "name",
        "blank",
    );
    assert_invalid(
        &patch(&app, &client, json!({"website": "nope"})).await,
        "website",
        "url",
    );
    assert_invalid(
        &patch(&app, &client, json!({"primary_contact_email": "nope"})).await,
        "primary_contact_email",
        "email",
    );
    assert_invalid(
        &patch(&app, &client, json!({"status": "dormant"})).await,
        "status",
        "type",
    );
    assert_invalid(
        &patch(&app, &client, json!({"legal_name": 7})).await,
        "legal_name",
        "type",
    );
}

#[actix_web::test]
async fn patch_with_health_is_422_as_health_has_its_own_endpoint() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({"health": "at_risk"})).await;
    assert_invalid(&res, "health", "unknown_field");
}

#[actix_web::test]
async fn patch_increments_the_version_and_etag() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({"industry": "Food"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let res = patch(&app, &client, json!({"industry": "Retail"})).await;
    assert_eq!(res.json()["version"], 3);
    assert_eq!(res.header("etag"), Some("\"3\""));
    let read = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(read.header("etag"), Some("\"3\""));
}

#[actix_web::test]
async fn patch_with_the_current_etag_in_if_match_succeeds() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .patch(&client_url(&client["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"1\"")
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"2\""));
}

#[actix_web::test]
async fn patch_with_a_stale_etag_is_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    patch(&app, &client, json!({"industry": "Food"})).await;
    for stale in ["\"1\"", "W/\"2\"", "2", "\"99\""] {
        let res = app
            .patch(&client_url(&client["id"]))
            .token(&app.admin_token())
            .header("if-match", stale)
            .json(json!({"industry": "Retail"}))
            .send()
            .await;
        res.problem(412);
    }
    let stored = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await
        .json();
    assert_eq!(stored["industry"], "Food");
    assert_eq!(stored["version"], 2);
}

#[actix_web::test]
async fn patch_with_if_match_star_succeeds() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    patch(&app, &client, json!({"industry": "Food"})).await;
    let res = app
        .patch(&client_url(&client["id"]))
        .token(&app.admin_token())
        .header("if-match", "*")
        .json(json!({"industry": "Retail"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["version"], 3);
}

#[actix_web::test]
async fn patch_with_one_of_several_etags_matching_succeeds() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .patch(&client_url(&client["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"7\", \"1\"")
        .json(json!({"industry": "Retail"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn empty_patch_is_200_and_keeps_the_version() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = patch(&app, &client, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), client);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let res = patch(&app, &client, json!({"name": "Acme"})).await;
    assert_eq!(
        res.json()["version"],
        1,
        "setting the same value changes nothing"
    );
}

#[actix_web::test]
async fn patch_of_an_unknown_client_is_404() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(&format!("{CLIENTS}/999999"))
        .token(&app.admin_token())
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    res.problem(404);
}

// ---------------------------------------------------------------------------------------
// Health

async fn put_health(app: &TestApp, token: &str, client: &Value, body: Value) -> Resp {
    app.put(&format!("{}/health", client_url(&client["id"])))
        .token(token)
        .json(body)
        .send()
        .await
}

#[actix_web::test]
async fn put_health_sets_health_and_note() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = put_health(
        &app,
        &app.admin_token(),
        &client,
        json!({"health": "at_risk", "health_note": "Procurement is reviewing all agencies"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"2\""));
    let updated = res.json();
    assert_eq!(updated["health"], "at_risk");
    assert_eq!(
        updated["health_note"],
        "Procurement is reviewing all agencies"
    );
    assert_eq!(updated["name"], "Acme");

    let res = put_health(&app, &app.admin_token(), &client, json!({"health": "good"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["health"], "good");
    assert_eq!(
        res.json()["health_note"],
        Value::Null,
        "PUT replaces the note"
    );
}

#[actix_web::test]
async fn put_health_validates_its_body() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let token = app.admin_token();
    let res = put_health(&app, &token, &client, json!({"health_note": "?"})).await;
    assert_invalid(&res, "health", "required");
    let res = put_health(&app, &token, &client, json!({"health": "great"})).await;
    assert_invalid(&res, "health", "type");
    let res = put_health(
        &app,
        &token,
        &client,
        json!({"health": "good", "name": "X"}),
    )
    .await;
    assert_invalid(&res, "name", "unknown_field");
    let res = put_health(
        &app,
        &token,
        &client,
        json!({"health": "good", "health_note": "n".repeat(2001)}),
    )
    .await;
    assert_invalid(&res, "health_note", "length");
}

#[actix_web::test]
async fn put_health_honours_if_match() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let url = format!("{}/health", client_url(&client["id"]));
    let res = app
        .put(&url)
        .token(&app.admin_token())
        .header("if-match", "\"5\"")
        .json(json!({"health": "watch"}))
        .send()
        .await;
    res.problem(412);
    let res = app
        .put(&url)
        .token(&app.admin_token())
        .header("if-match", "\"1\"")
        .json(json!({"health": "watch"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn put_health_of_an_unknown_client_is_404() {
    let app = TestApp::spawn().await;
    let res = app
        .put(&format!("{CLIENTS}/999999/health"))
        .token(&app.admin_token())
        .json(json!({"health": "watch"}))
        .send()
        .await;
    res.problem(404);
}

#[actix_web::test]
async fn executive_may_set_health_but_not_edit_or_create_clients() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let (executive_id, executive) = app.staff("account_executive").await;
    app.assign_to_client(&client["id"], executive_id).await;

    let res = put_health(&app, &executive, &client, json!({"health": "watch"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["health"], "watch");

    let res = app
        .patch(&client_url(&client["id"]))
        .token(&executive)
        .json(json!({"industry": "Food"}))
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
    app.post(CLIENTS)
        .token(&executive)
        .json(json!({"name": "Globex"}))
        .send()
        .await
        .problem(403);
    app.delete(&client_url(&client["id"]))
        .token(&executive)
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn every_client_endpoint_needs_a_token() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let one = client_url(&client["id"]);
    let health = format!("{one}/health");
    let body = json!({"name": "X", "health": "good"});
    for res in [
        app.get(CLIENTS).send().await,
        app.post(CLIENTS).json(body.clone()).send().await,
        app.get(&one).send().await,
        app.patch(&one).json(json!({})).send().await,
        app.put(&health).json(body.clone()).send().await,
        app.delete(&one).send().await,
    ] {
        res.problem(401);
        assert!(res.header("www-authenticate").is_some());
    }
}

// ---------------------------------------------------------------------------------------
// Delete

#[actix_web::test]
async fn delete_answers_204_and_the_client_is_gone() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .delete(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert!(res.body.is_empty());
    app.get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
    assert_eq!(list(&app, "").await.json()["data"], json!([]));
    // The name is free again.
    assert_eq!(create(&app, json!({"name": "Acme"})).await.status, 201);
}

#[actix_web::test]
async fn delete_with_a_stale_etag_is_412_and_keeps_the_client() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    patch(&app, &client, json!({"industry": "Food"})).await;
    let res = app
        .delete(&client_url(&client["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"1\"")
        .send()
        .await;
    res.problem(412);
    let res = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200);
    let res = app
        .delete(&client_url(&client["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"2\"")
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
}

#[actix_web::test]
async fn delete_of_an_unknown_client_is_404() {
    let app = TestApp::spawn().await;
    app.delete(&format!("{CLIENTS}/999999"))
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn get_of_an_unknown_or_malformed_id_is_404() {
    let app = TestApp::spawn().await;
    for path in ["999999", "abc", "1.5", "99999999999999999999999"] {
        app.get(&format!("{CLIENTS}/{path}"))
            .token(&app.admin_token())
            .send()
            .await
            .problem(404);
    }
}

// ---------------------------------------------------------------------------------------
// Audit trail

fn assert_event(event: &Value, action: &str, actor_id: i64, request_id: Option<&str>) {
    assert_eq!(event["action"], action, "{event}");
    assert_eq!(event["resource_type"], "client", "{event}");
    assert_eq!(event["actor_id"], actor_id, "{event}");
    assert_eq!(
        event["request_id"],
        request_id.expect("x-request-id"),
        "{event}"
    );
}

#[actix_web::test]
async fn create_writes_one_audit_event_with_the_new_values() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme", "industry": "Food"})).await;
    let client = res.json();
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_event(
        event,
        "clients.create",
        app.admin_id,
        res.header("x-request-id"),
    );
    assert_eq!(event["resource_id"], client["id"].to_string());
    let changes = &event["changes"];
    assert_eq!(changes["name"], json!({"before": null, "after": "Acme"}));
    assert_eq!(
        changes["industry"],
        json!({"before": null, "after": "Food"})
    );
    assert_eq!(
        changes["status"],
        json!({"before": null, "after": "prospect"})
    );
    assert!(
        changes.get("website").is_none(),
        "unset fields did not change"
    );
    assert!(changes.get("version").is_none());
}

#[actix_web::test]
async fn patch_writes_one_audit_event_with_before_and_after() {
    let app = TestApp::spawn().await;
    let (director_id, _) = app.staff("account_director").await;
    let client = create(
        &app,
        json!({"name": "Acme", "website": "https://acme.example"}),
    )
    .await
    .json();
    let res = app
        .patch(&client_url(&client["id"]))
        .token(&app.token_for(director_id))
        .header("x-request-id", "patch-acme-1")
        .json(json!({"status": "active", "website": null, "name": "Acme"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let event = &events[1];
    assert_event(event, "clients.update", director_id, Some("patch-acme-1"));
    assert_eq!(
        event["changes"],
        json!({
            "status": {"before": "prospect", "after": "active"},
            "website": {"before": "https://acme.example", "after": null},
        })
    );
}

#[actix_web::test]
async fn put_health_writes_one_clients_health_event() {
    let app = TestApp::spawn().await;
    let (executive_id, executive) = app.staff("account_executive").await;
    let client = app.client("Acme").await;
    app.assign_to_client(&client["id"], executive_id).await;
    let res = put_health(
        &app,
        &executive,
        &client,
        json!({"health": "watch", "health_note": "Late payments"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_event(
        &events[1],
        "clients.health",
        executive_id,
        res.header("x-request-id"),
    );
    assert_eq!(
        events[1]["changes"],
        json!({
            "health": {"before": "good", "after": "watch"},
            "health_note": {"before": null, "after": "Late payments"},
        })
    );
}

#[actix_web::test]
async fn delete_writes_one_clients_delete_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .delete(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204);
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_event(
        &events[1],
        "clients.delete",
        app.admin_id,
        res.header("x-request-id"),
    );
    assert_eq!(
        events[1]["changes"]["name"],
        json!({"before": "Acme", "after": null})
    );
}

#[actix_web::test]
async fn failed_or_empty_mutations_write_no_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    app.client("Globex").await;
    let one = client_url(&client["id"]);
    let token = app.admin_token();

    patch(&app, &client, json!({"website": "nope"}))
        .await
        .problem(422);
    patch(&app, &client, json!({"name": "Globex"}))
        .await
        .problem(409);
    let stale = app
        .patch(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    stale.problem(412);
    put_health(&app, &token, &client, json!({"health": "great"}))
        .await
        .problem(422);
    app.delete(&one)
        .token(&token)
        .header("if-match", "\"9\"")
        .send()
        .await
        .problem(412);
    assert_eq!(patch(&app, &client, json!({})).await.status, 200);
    create(&app, json!({"name": "acme"})).await.problem(409);

    let events = audit_events(&app, &client["id"]).await;
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["clients.create"]);
}

// ---------------------------------------------------------------------------------------
// Request ids

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

// ---------------------------------------------------------------------------------------
// Concurrency

#[actix_web::test]
async fn concurrent_patches_with_one_etag_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let url = client_url(&client["id"]);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.patch(&url)
            .token(&token)
            .header("if-match", "\"1\"")
            .json(json!({"industry": format!("Industry {i}")}))
            .send()
    }))
    .await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412]);
    for res in responses.iter().filter(|r| r.status == 412) {
        res.problem(412);
    }
    let events = audit_events(&app, &client["id"]).await;
    assert_eq!(events.len(), 2, "one create, one update: {events:?}");
}

#[actix_web::test]
async fn concurrent_patches_without_if_match_all_apply() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let url = client_url(&client["id"]);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.patch(&url)
            .token(&token)
            .json(json!({"industry": format!("Industry {i}")}))
            .send()
    }))
    .await;
    for res in &responses {
        assert_eq!(res.status, 200, "{}", res.text());
    }
    let stored = app.get(&url).token(&token).send().await.json();
    assert_eq!(stored["version"], 7);
}

#[actix_web::test]
async fn concurrent_creates_of_one_name_make_one_client() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|i| {
        app.post(CLIENTS)
            .token(&token)
            .json(json!({"name": if i % 2 == 0 { "Acme" } else { "ACME" }}))
            .send()
    }))
    .await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1);
    for res in responses.iter().filter(|r| r.status != 201) {
        res.problem(409);
    }
    assert_eq!(
        list(&app, "").await.json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn concurrent_creates_of_one_name_report_the_name_field() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    // Several rounds, as a losing create only rarely races past the name check.
    for round in 0..5 {
        let responses = futures_util::future::join_all((0..6).map(|_| {
            app.post(CLIENTS)
                .token(&token)
                .json(json!({"name": format!("Acme {round}")}))
                .send()
        }))
        .await;
        for res in responses.iter().filter(|r| r.status != 201) {
            let problem = res.problem(409);
            assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
        }
    }
}
