//! Every answer has exactly the documented shape, with every always-sent field required.

use actix_web::http::Method;
use serde_json::{json, Value};

use super::*;

/// Properties the document leaves optional because some answers lack them, each with a
/// property that tells the kind of object: a problem's `errors` (only when fields are at
/// fault) and `error` (an OAuth refusal's code), a token answer's refresh token (none for
/// a service account), a secret shown once (left out of a replay).
const SOMETIMES_ABSENT: &[(&str, &str)] = &[
    ("errors", "request_id"),
    ("error", "request_id"),
    ("refresh_token", "access_token"),
    ("refresh_expires_in", "access_token"),
    ("client_secret", "client_id"),
];

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
                        let sometimes = SOMETIMES_ABSENT.iter().any(|(property, beside)| {
                            name == property && fields.contains_key(*beside)
                        });
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
