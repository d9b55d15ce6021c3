//! Conventions every operation shares, driven by the OpenAPI document so that a new
//! operation is covered by construction: control characters are refused in every body,
//! query and path parameter; empty parameters are refused; and statuses come in one fixed
//! order (401, 403, then the request's shape) however the extractors race.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// One operation of the served document.
struct Op {
    method: Method,
    path: String,
    id: String,
    permission: String,
    query: Vec<(String, Value)>,
    body_example: Option<Value>,
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .expect("a $ref that resolves"),
        None => value,
    }
}

fn operations() -> Vec<Op> {
    let doc = suits::openapi::document();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let body_example = op["requestBody"]["content"]["application/json"]["schema"]
                .is_object()
                .then(|| {
                    let schema = resolve(
                        &doc,
                        &op["requestBody"]["content"]["application/json"]["schema"],
                    );
                    schema["example"].clone()
                });
            ops.push(Op {
                method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                path: path.clone(),
                id: op["operationId"].as_str().unwrap().to_owned(),
                permission: op["x-permission"].as_str().unwrap().to_owned(),
                query: params
                    .iter()
                    .filter(|p| p["in"] == "query")
                    .map(|p| (p["name"].as_str().unwrap().to_owned(), p["schema"].clone()))
                    .collect(),
                body_example,
            });
        }
    }
    ops
}

/// The operation's path with every parameter filled in with `value`.
fn fill(path: &str, value: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                value
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// Every string in `value` with its dotted path, as problems name fields.
fn string_fields(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::String(_) => out.push(path.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_fields(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                string_fields(item, &path, out);
            }
        }
        _ => {}
    }
}

fn replace_at(value: &mut Value, path: &str, with: &str) {
    let mut target = value;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        target = &mut target[name];
        if let Some(i) = index {
            target = &mut target[i];
        }
    }
    *target = json!(with);
}

fn assert_names(res: &Resp, status: u16, field: &str, code: &str, what: &str) {
    let problem = res.problem(status);
    let named = problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: errors[] in {problem}"))
        .iter()
        .any(|e| e["field"] == field && e["code"] == code);
    assert!(named, "{what}: expected {field} ({code}) in {problem}");
}

#[actix_web::test]
async fn nul_and_control_characters_are_refused_in_every_string_of_every_body() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in operations().iter().filter(|op| op.body_example.is_some()) {
        let example = op.body_example.clone().unwrap();
        assert!(example.is_object(), "{}: a request body example", op.id);
        let mut fields = Vec::new();
        string_fields(&example, "", &mut fields);
        for field in fields {
            for hostile in ["a\u{0}b", "a\u{7}b", "a\u{9b}b"] {
                let mut body = example.clone();
                replace_at(&mut body, &field, hostile);
                let res = app
                    .request(op.method.clone(), &fill(&op.path, "1"))
                    .token(&token)
                    .json(body)
                    .send()
                    .await;
                let what = format!("{} {field}={hostile:?}", op.id);
                assert_names(&res, 422, &field, "control_character", &what);
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} fields checked");
}

#[actix_web::test]
async fn single_line_fields_refuse_tabs_and_newlines_while_long_text_keeps_them() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    for (field, value) in [
        ("name", "Acme\tFoods"),
        ("external_ref", "A\nB"),
        ("industry", "x\ry"),
    ] {
        let mut body = json!({"name": "Acme Foods"});
        body[field] = json!(value);
        let res = app
            .post("/api/v1/clients")
            .token(&token)
            .json(body)
            .send()
            .await;
        assert_names(&res, 422, field, "control_character", field);
    }
    let res = app
        .post("/api/v1/auth/token")
        .json(json!({"email": "admin@suits.test\n", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    assert_names(&res, 422, "email", "control_character", "login email");

    let note = "Line one.\n\tLine two.\r\n";
    let client = app.client("Acme Foods").await;
    let res = app
        .put(&format!("/api/v1/clients/{}/health", client["id"]))
        .token(&token)
        .json(json!({"health": "watch", "health_note": note}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["health_note"], note);
}

#[actix_web::test]
async fn every_query_parameter_refuses_control_characters_and_empty_values() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in operations().iter().filter(|op| !op.query.is_empty()) {
        for (name, _) in &op.query {
            for (raw, code) in [
                ("%00", "control_character"),
                ("a%09b", "control_character"),
                ("", "empty"),
            ] {
                let res = app
                    .request(op.method.clone(), &format!("{}?{name}={raw}", op.path))
                    .token(&token)
                    .send()
                    .await;
                let what = format!("{} ?{name}={raw}", op.id);
                assert_names(&res, 400, name, code, &what);
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} parameters checked");
}

#[actix_web::test]
async fn bad_query_parameters_are_named_like_body_fields() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    for (query, field, code) in [
        ("limit=abc", "limit", "type"),
        ("limit=0", "limit", "range"),
        ("status=bogus", "status", "type"),
        ("sort=colour", "sort", "invalid"),
        ("cursor=not-a-cursor", "cursor", "invalid"),
        ("updated_since=yesterday", "updated_since", "format"),
        ("colour=red", "colour", "unknown_parameter"),
    ] {
        let res = app
            .get(&format!("/api/v1/clients?{query}"))
            .token(&token)
            .send()
            .await;
        assert_names(&res, 400, field, code, query);
    }
}

#[actix_web::test]
async fn every_path_parameter_refuses_control_characters() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    for op in operations() {
        for name in path_params(&op.path) {
            let path = op.path.replace(&format!("{{{name}}}"), "a%00b");
            let path = fill(&path, "1");
            let mut req = app.request(op.method.clone(), &path).token(&token);
            if let Some(example) = &op.body_example {
                req = req.json(example.clone());
            }
            let res = req.send().await;
            assert_names(&res, 400, name, "control_character", &op.id);
        }
    }
}

/// A role with no grants at all: everything it may try is a 403.
async fn powerless(app: &TestApp) -> (i64, String) {
    app.role("powerless", json!([])).await;
    app.staff("powerless").await
}

/// A request wrong in every way the request's shape can be: bad path and query
/// parameters, a body that is not JSON.
fn wrong_in_shape<'a>(app: &'a TestApp, op: &Op) -> Req<'a> {
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
    for op in operations().iter().filter(|op| op.permission != "public") {
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

/// Where `value` does not have exactly the shape `schema` gives: a required property
/// missing, a property the schema does not name, `null` where the schema does not allow
/// it, or another type. What generated clients are built from must be what is sent.
fn shape_problems(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let fits = branches.iter().any(|branch| {
            let mut problems = Vec::new();
            shape_problems(doc, branch, value, at, &mut problems);
            problems.is_empty()
        });
        if !fits {
            out.push(format!("{at}: {value} fits no branch of {schema}"));
        }
        return;
    }
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    let parts = match schema["allOf"].as_array() {
        Some(parts) => parts.iter().map(|p| resolve(doc, p)).collect(),
        None => vec![schema],
    };
    for part in &parts {
        if let Some(props) = part["properties"].as_object() {
            properties.extend(props.clone());
        }
        if let Some(names) = part["required"].as_array() {
            required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ if !properties.is_empty() => vec!["object"],
        _ => return, // any value
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let integer_as_number = actual == "integer" && types.contains(&"number");
    if !(types.contains(&actual) || integer_as_number) {
        out.push(format!("{at}: {actual} where the schema says {types:?}"));
        return;
    }
    match value {
        Value::Object(fields) => {
            for name in &required {
                if !fields.contains_key(name) {
                    out.push(format!("{at}.{name}: required but not sent"));
                }
            }
            for (name, item) in fields {
                match properties.get(name) {
                    Some(property) => {
                        // A problem's `errors` comes only when fields are at fault.
                        let sometimes = name == "errors" && fields.contains_key("request_id");
                        if !required.contains(name) && !sometimes {
                            out.push(format!("{at}.{name}: always sent but not required"));
                        }
                        shape_problems(doc, property, item, &format!("{at}.{name}"), out);
                    }
                    None if schema["additionalProperties"].is_object() => shape_problems(
                        doc,
                        &schema["additionalProperties"],
                        item,
                        &format!("{at}.{name}"),
                        out,
                    ),
                    None => out.push(format!("{at}.{name}: sent but not in the schema")),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                shape_problems(doc, &schema["items"], item, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The documented JSON schema of `method path`'s answer with `status`.
fn response_schema(doc: &Value, method: &str, path: &str, status: u16) -> Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "no operation {method} {path}");
    let response = resolve(doc, &op["responses"][status.to_string()]);
    let content = &response["content"];
    let body = content["application/json"]["schema"]
        .as_object()
        .or(content["application/problem+json"]["schema"].as_object());
    Value::Object(
        body.unwrap_or_else(|| panic!("{method} {path} {status}: no schema"))
            .clone(),
    )
}

#[actix_web::test]
async fn every_answer_has_exactly_the_documented_shape_with_every_field_required() {
    let app = TestApp::spawn().await;
    let doc = suits::openapi::document();
    let token = app.admin_token();
    // Records with as many fields empty as allowed, where `null` shows.
    let client = app.client("Acme Foods").await;
    let account = app.account(&client["id"], "Snacks").await;
    let (staff, _) = app.staff("account_executive").await;
    app.assign(&account["id"], staff).await;
    let (c, a) = (&client["id"], &account["id"]);
    let calls = [
        (
            "get",
            "/api/v1/clients/{id}",
            format!("/api/v1/clients/{c}"),
            200,
        ),
        (
            "get",
            "/api/v1/clients",
            "/api/v1/clients?limit=1".to_owned(),
            200,
        ),
        (
            "get",
            "/api/v1/accounts/{id}",
            format!("/api/v1/accounts/{a}"),
            200,
        ),
        (
            "get",
            "/api/v1/accounts",
            "/api/v1/accounts".to_owned(),
            200,
        ),
        (
            "get",
            "/api/v1/accounts/{id}/team",
            format!("/api/v1/accounts/{a}/team"),
            200,
        ),
        (
            "get",
            "/api/v1/accounts/{id}/team/{staff_id}",
            format!("/api/v1/accounts/{a}/team/{staff}"),
            200,
        ),
        (
            "get",
            "/api/v1/staff/{id}",
            format!("/api/v1/staff/{staff}"),
            200,
        ),
        ("get", "/api/v1/staff", "/api/v1/staff".to_owned(), 200),
        ("get", "/api/v1/roles", "/api/v1/roles".to_owned(), 200),
        (
            "get",
            "/api/v1/roles/{key}",
            "/api/v1/roles/admin".to_owned(),
            200,
        ),
        ("get", "/api/v1/me", "/api/v1/me".to_owned(), 200),
        (
            "get",
            "/api/v1/audit-events",
            "/api/v1/audit-events".to_owned(),
            200,
        ),
        ("get", "/healthz", "/healthz".to_owned(), 200),
        ("get", "/readyz", "/readyz".to_owned(), 200),
        (
            "get",
            "/api/v1/clients/{id}",
            "/api/v1/clients/987654".to_owned(),
            404,
        ),
        (
            "get",
            "/api/v1/clients",
            "/api/v1/clients?limit=0".to_owned(),
            400,
        ),
    ];
    let mut problems = Vec::new();
    for (method, template, path, status) in calls {
        let res = app
            .request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                &path,
            )
            .token(&token)
            .send()
            .await;
        assert_eq!(res.status.as_u16(), status, "{path}: {}", res.text());
        let schema = response_schema(&doc, method, template, status);
        shape_problems(
            &doc,
            &schema,
            &res.json(),
            &format!("{method} {path}"),
            &mut problems,
        );
    }
    let res = app
        .post("/api/v1/auth/token")
        .json(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await;
    let schema = response_schema(&doc, "post", "/api/v1/auth/token", 200);
    shape_problems(
        &doc,
        &schema,
        &res.json(),
        "post /auth/token",
        &mut problems,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
