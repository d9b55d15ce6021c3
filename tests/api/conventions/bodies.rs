//! Every JSON body is read alike: a field the schema does not name is a 422 naming it
//! (at any depth), malformed JSON is a 400, JSON that is not an object a 422.

use serde_json::{json, Value};

use super::*;

/// Every object inside `value` (not `value` itself), with its dotted path.
fn inner_objects(value: &Value, path: &str, out: &mut Vec<String>) {
    let inner = |name: String, out: &mut Vec<String>, item: &Value| {
        if item.is_object() {
            out.push(name.clone());
        }
        inner_objects(item, &name, out);
    };
    match value {
        Value::Object(fields) => {
            for (name, item) in fields {
                let name = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                inner(name, out, item);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                inner(format!("{path}[{i}]"), out, item);
            }
        }
        _ => {}
    }
}

/// The value at a dotted path such as `budget` or `permissions[0]`.
fn at<'a>(value: &'a mut Value, path: &str) -> &'a mut Value {
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
    target
}

#[actix_web::test]
async fn every_json_body_refuses_an_unknown_field_naming_it_at_any_depth() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in having(|op| op.body_example.is_some(), 11, "with a JSON body") {
        let call = fresh_call(&app, &cast, &op).await;
        // The recipe's valid body with one field too many: that field, and only it.
        let mut body = call.body.clone().expect("a recipe body");
        body["colour"] = json!("red");
        let res = call.bare(&app).token(&token).json(body).send().await;
        assert_names(&res, 422, "colour", "unknown_field", &op.id);
        assert_eq!(res.error_fields(), ["colour"], "{}: {}", op.id, res.text());
        checked += 1;
        // Nested objects of the documented example refuse strangers too.
        let example = op.body_example.clone().expect("a body example");
        let mut nested = Vec::new();
        inner_objects(&example, "", &mut nested);
        for path in nested {
            let mut body = example.clone();
            at(&mut body, &path)["cents"] = json!(5);
            let res = call.bare(&app).token(&token).json(body).send().await;
            let field = format!("{path}.cents");
            assert_names(&res, 422, &field, "unknown_field", &op.id);
            checked += 1;
        }
        if op.if_match {
            // Refused bodies changed nothing: the record is still at its first version.
            let res = call
                .request(&app)
                .token(&token)
                .header("if-match", "\"1\"")
                .send()
                .await;
            assert_eq!(res.status, success(&op), "{}: {}", op.id, res.text());
        }
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(checked >= 11 + 3, "only {checked} cases");
}

#[actix_web::test]
async fn every_json_body_refuses_malformed_json_with_400_and_other_json_with_422() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in having(|op| op.body_example.is_some(), 11, "with a JSON body") {
        let call = fresh_call(&app, &cast, &op).await;
        let send = |raw: String| {
            call.bare(&app)
                .token(&token)
                .body("application/json", raw)
                .send()
        };
        // Malformed documents made from the recipe's valid body, and ones whose fields
        // are wrong before the syntax is: malformed wins, whatever comes first.
        let valid = call.body.clone().expect("a recipe body").to_string();
        let open = &valid[..valid.len() - 1];
        for raw in [
            r#"{"no_such_field": 1,}"#.to_owned(),
            r#"{"no_such_field": 1} trailing"#.to_owned(),
            "not json".to_owned(),
            String::new(),
            "   \n".to_owned(),
            "{".to_owned(),
            "{'name': 1}".to_owned(),
            open.to_owned(),
            format!("{open},}}"),
            format!("{open}, 'x': 1}}"),
            format!("{valid} trailing"),
            format!("{valid}{valid}"),
        ] {
            // An empty body is no body, which an optional one may be (approvals/rules.rs).
            if raw.is_empty() && op.body_optional {
                continue;
            }
            let res = send(raw.clone()).await;
            let problem = res.problem(400);
            assert!(
                problem.get("errors").is_none(),
                "{} {raw:?}: {problem}",
                op.id
            );
            checked += 1;
        }
        for raw in [r#"[{"name": "Acme"}]"#, r#""Acme""#, "42", "null"] {
            let res = send(raw.to_owned()).await;
            let problem = res.problem(422);
            assert_eq!(
                problem["errors"][0]["code"], "type",
                "{} {raw}: {problem}",
                op.id
            );
            checked += 1;
        }
        if op.if_match {
            let res = call
                .request(&app)
                .token(&token)
                .header("if-match", "\"1\"")
                .send()
                .await;
            assert_eq!(res.status, success(&op), "{}: {}", op.id, res.text());
        }
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(checked >= 11 * 16, "only {checked} cases");
}

/// What a deserializer says never reaches a client as it said it: no Rust type names, no
/// backticks, no "invalid type: …, expected …".
fn plain(message: &str) -> bool {
    let jargon = [
        "invalid type",
        "invalid value",
        "expected",
        "`",
        "i64",
        "u32",
        "i32",
        "struct ",
        "a sequence",
        "a map",
        "variant",
        "deserializ",
    ];
    !jargon.iter().any(|j| message.contains(j))
}

#[actix_web::test]
async fn every_field_and_parameter_error_is_in_plain_words() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in having(|op| op.body_example.is_some(), 11, "with a JSON body") {
        let call = fresh_call(&app, &cast, &op).await;
        let valid = call.body.clone().expect("a recipe body");
        let fields: Vec<String> = valid.as_object().unwrap().keys().cloned().collect();
        for field in fields {
            for wrong in [
                json!({"nested": true}),
                json!([1, 2]),
                json!(-1.5),
                json!("text"),
                json!(null),
            ] {
                let mut body = valid.clone();
                body[&field] = wrong.clone();
                let res = call.bare(&app).token(&token).json(body).send().await;
                if res.status.as_u16() != 422 {
                    continue; // a value this field takes (a text, say)
                }
                for error in res.json()["errors"].as_array().unwrap() {
                    let message = error["message"].as_str().unwrap();
                    assert!(plain(message), "{} {field}={wrong}: {message:?}", op.id);
                    checked += 1;
                }
            }
        }
    }
    for op in having(|op| op.query.iter().any(|(n, _)| n == "cursor"), 4, "lists") {
        for (name, _) in &op.query {
            for wrong in ["zz", "-3", "1.5", "99999999999999999999"] {
                let res = app
                    .request(op.method.clone(), &format!("{}?{name}={wrong}", op.path))
                    .token(&token)
                    .send()
                    .await;
                if res.status.as_u16() != 400 {
                    continue;
                }
                for error in res.json()["errors"].as_array().unwrap() {
                    let message = error["message"].as_str().unwrap();
                    assert!(plain(message), "{} ?{name}={wrong}: {message:?}", op.id);
                    checked += 1;
                }
            }
        }
        let res = app
            .request(op.method.clone(), &format!("{}?colour=red", op.path))
            .token(&token)
            .send()
            .await;
        let message = res.problem(400)["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            plain(&message) && message.contains("limit"),
            "{}: {message:?}",
            op.id
        );
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(checked >= 50, "only {checked} cases");
}
