//! No control characters in any string of any body, query or path parameter; no empty
//! parameters; every bad parameter named like a body field.

use serde_json::json;

use super::*;

#[actix_web::test]
async fn nul_and_control_characters_are_refused_in_every_string_of_every_body() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in spec_operations()
        .iter()
        .filter(|op| op.body_example.is_some())
    {
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
    for op in spec_operations().iter().filter(|op| !op.query.is_empty()) {
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
    for op in spec_operations() {
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
