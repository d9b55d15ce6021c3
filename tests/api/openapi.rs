//! The OpenAPI document is a deliverable in its own right (frontend teams generate clients
//! from it), so these tests hold the committed copy to the served one and the document to
//! the conventions of DESIGN §4: every operation carries its permission, examples and
//! every error it can answer.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Value};

use crate::helpers::*;

const REGENERATE: &str = "run `cargo run -- openapi > openapi/openapi.json` and commit the result";

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn committed() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {path} ({e}); {REGENERATE}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON ({e}); {REGENERATE}"))
}

/// The JSON pointer of the first place where `a` and `b` differ, so that a drift failure
/// says where to look instead of printing two whole documents.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => first_difference(v, w, &here),
                    _ => Some(here),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(if at.is_empty() { "/".into() } else { at.into() }),
    }
}

#[track_caller]
fn assert_same_as_committed(actual: &Value, what: &str) {
    let committed = committed();
    if let Some(at) = first_difference(actual, &committed, "") {
        panic!(
            "{what} differs from openapi/openapi.json, first at {at}:\n  {what}: {}\n  committed: {}\n{REGENERATE}",
            actual.pointer(&at).map_or("(absent)".into(), Value::to_string),
            committed.pointer(&at).map_or("(absent)".into(), Value::to_string),
        );
    }
}

#[actix_web::test]
async fn the_served_spec_is_the_committed_spec() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/openapi.json").send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(
        res.header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "content type {:?}",
        res.header("content-type")
    );
    assert_same_as_committed(&res.json(), "the served document");
}

#[test]
fn the_generated_spec_is_the_committed_spec() {
    assert_same_as_committed(&suits::openapi::document(), "suits::openapi::document()");
}

#[test]
fn the_spec_is_openapi_3_1() {
    let doc = suits::openapi::document();
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(
        version.starts_with("3.1."),
        "openapi version is {version:?}"
    );
}

/// Follows a local `$ref` (`#/components/...`); anything else is returned as it is.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(target) => {
            let pointer = target.strip_prefix('#').unwrap_or(target);
            let found = doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {target}"));
            resolve(doc, found)
        }
        None => value,
    }
}

fn has_example(schema: &Value) -> bool {
    schema.get("example").is_some()
        || schema["examples"]
            .as_array()
            .is_some_and(|examples| !examples.is_empty())
}

/// A 2xx body is documented by example when its schema has one, or when it is a page or
/// list (`{"data": [...]}`) of a schema that has one.
fn success_body_has_example(doc: &Value, schema: &Value) -> bool {
    let target = resolve(doc, schema);
    has_example(target)
        || target["properties"]["data"]["items"]
            .get("$ref")
            .is_some_and(|_| has_example(resolve(doc, &target["properties"]["data"]["items"])))
}

/// Everything wrong with one operation, as readable sentences.
fn operation_problems(
    doc: &Value,
    path: &str,
    op: &Value,
    permission_keys: &BTreeSet<String>,
    declared_tags: &BTreeSet<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fail = |msg: String| problems.push(msg);
    let non_empty = |v: &Value| v.as_str().is_some_and(|s| !s.trim().is_empty());

    match op["tags"].as_array() {
        Some(tags) if !tags.is_empty() => {
            for tag in tags {
                if !tag.as_str().is_some_and(|t| declared_tags.contains(t)) {
                    fail(format!("tag {tag} is not declared in the top-level `tags`"));
                }
            }
        }
        _ => fail("has no tags".into()),
    }
    if !non_empty(&op["summary"]) {
        fail("has no summary".into());
    }
    if !non_empty(&op["description"]) {
        fail("has no description".into());
    }

    let permission = op["x-permission"].as_str().unwrap_or_default();
    let public = permission == "public";
    let needs_key = !matches!(permission, "public" | "authenticated");
    if needs_key && !permission_keys.contains(permission) {
        fail(format!(
            "x-permission {} is not \"public\", \"authenticated\" or a key of the Permission schema",
            op["x-permission"]
        ));
    }

    let responses = op["responses"].as_object().cloned().unwrap_or_default();
    let mut require = |status: &str, why: &str| {
        if !responses.contains_key(status) {
            problems.push(format!("lacks a {status} response ({why})"));
        }
    };
    if !public {
        require("401", "it needs a token");
    }
    if needs_key {
        require("403", "it needs a permission");
    }
    if path.contains('{') {
        require("404", "it has a path parameter");
    }
    if op.get("requestBody").is_some() {
        for status in ["400", "413", "415", "422"] {
            require(status, "it takes a request body");
        }
    }

    if public {
        if op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        }) {
            problems.push("is public but declares a security requirement".into());
        }
    } else if op["security"] != serde_json::json!([{"bearer": []}]) {
        problems.push(format!(
            "security is {}, expected [{{\"bearer\": []}}]",
            op["security"]
        ));
    }
    if needs_key
        && !op["description"]
            .as_str()
            .is_some_and(|d| d.contains(permission))
    {
        problems.push(format!("description does not mention `{permission}`"));
    }

    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    for name in path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    {
        let declared = params
            .iter()
            .map(|p| resolve(doc, p))
            .any(|p| p["in"] == "path" && p["name"] == name && p["required"] == true);
        if !declared {
            problems.push(format!(
                "path parameter {{{name}}} is not declared as a required path parameter"
            ));
        }
    }

    if let Some(body) = op.get("requestBody") {
        let body = resolve(doc, body);
        match body["content"].as_object() {
            Some(content) if !content.is_empty() => {
                for (media, m) in content {
                    if !(has_example(m) || has_example(resolve(doc, &m["schema"]))) {
                        problems.push(format!(
                            "request body {media} has no example (on {})",
                            m["schema"]["$ref"].as_str().unwrap_or("its inline schema")
                        ));
                    }
                }
            }
            _ => problems.push("request body has no content".into()),
        }
    }

    let mut successes = 0;
    for (status, response) in &responses {
        let response = resolve(doc, response);
        if status.starts_with('2') {
            successes += 1;
            for (media, m) in response["content"].as_object().into_iter().flatten() {
                let schema = &m["schema"];
                if media.contains("json")
                    && schema.get("$ref").is_some()
                    && !success_body_has_example(doc, schema)
                {
                    problems.push(format!(
                        "{status} {media} schema {} has no example (nor is it a page of a schema with one)",
                        schema["$ref"]
                    ));
                }
            }
        } else {
            let content = response["content"].as_object();
            let problem_only = content.is_some_and(|c| {
                c.len() == 1
                    && c.get("application/problem+json")
                        .is_some_and(|m| m["schema"]["$ref"] == "#/components/schemas/Problem")
            });
            if !problem_only {
                problems.push(format!(
                    "{status} is not application/problem+json with the Problem schema: {}",
                    response["content"]
                ));
            }
        }
    }
    if successes == 0 {
        problems.push("declares no 2xx response".into());
    }
    problems
}

fn permission_keys(doc: &Value) -> BTreeSet<String> {
    doc["components"]["schemas"]["Permission"]["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Everything wrong with the document's operations, sorted, one line each.
fn spec_problems(doc: &Value) -> Vec<String> {
    let permission_keys = permission_keys(doc);
    let declared_tags: BTreeSet<String> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    let mut failures = Vec::new();
    if permission_keys.is_empty() {
        failures.push("components.schemas.Permission has no enum of permission keys".into());
    }
    if doc["components"]["securitySchemes"]["bearer"]["scheme"] != "bearer" {
        failures.push("components.securitySchemes.bearer is not an HTTP bearer scheme".into());
    }

    let mut operation_ids: HashMap<String, Vec<String>> = HashMap::new();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let name = format!("{} {path}", method.to_uppercase());
            match op["operationId"].as_str() {
                Some(id) if !id.is_empty() => operation_ids
                    .entry(id.to_owned())
                    .or_default()
                    .push(name.clone()),
                _ => failures.push(format!("{name}: has no operationId")),
            }
            for problem in operation_problems(doc, path, op, &permission_keys, &declared_tags) {
                failures.push(format!("{name}: {problem}"));
            }
        }
    }
    for (id, ops) in &operation_ids {
        if ops.len() > 1 {
            failures.push(format!("operationId {id:?} is used by {}", ops.join(", ")));
        }
    }
    if operations == 0 {
        failures.push("the spec has no operations".into());
    }
    failures.sort();
    failures
}

#[test]
fn every_operation_is_fully_documented() {
    let doc = suits::openapi::document();
    let failures = spec_problems(&doc);
    assert!(
        failures.is_empty(),
        "{} problem(s) in the OpenAPI document:\n  {}\n(the Permission schema's enum is {:?})",
        failures.len(),
        failures.join("\n  "),
        permission_keys(&doc)
    );
}

/// The checks above pass vacuously if they look in the wrong place, so each is shown to
/// catch a defect planted in a copy of the real document.
#[test]
fn the_documentation_checks_catch_planted_defects() {
    let mut doc = suits::openapi::document();
    let create = "/paths/~1api~1v1~1clients/post";
    let get_one = "/paths/~1api~1v1~1clients~1{id}/get";
    let list = "/paths/~1api~1v1~1clients/get";
    let edit = |doc: &mut Value, pointer: &str, f: &dyn Fn(&mut Value)| {
        f(doc
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer} in the spec")))
    };
    edit(&mut doc, create, &|op| {
        let responses = op["responses"].as_object_mut().unwrap();
        responses.remove("403");
        responses.remove("415");
        op["tags"] = json!([]);
        op["summary"] = json!("");
    });
    edit(&mut doc, get_one, &|op| {
        op["responses"].as_object_mut().unwrap().remove("404");
        op["operationId"] = json!("list_clients");
        op["security"] = json!([]);
        op["responses"]["401"] = json!({"description": "Unauthorized",
            "content": {"text/plain": {"schema": {"type": "string"}}}});
    });
    edit(&mut doc, list, &|op| {
        op["x-permission"] = json!("clients.peek");
    });
    let schemas = "/components/schemas";
    edit(&mut doc, schemas, &|s| {
        s["ClientCreate"].as_object_mut().unwrap().remove("example");
        s["Client"].as_object_mut().unwrap().remove("example");
        s["ClientView"].as_object_mut().unwrap().remove("example");
    });

    let found = spec_problems(&doc).join("\n");
    for expected in [
        "POST /api/v1/clients: lacks a 403 response",
        "POST /api/v1/clients: lacks a 415 response",
        "POST /api/v1/clients: has no tags",
        "POST /api/v1/clients: has no summary",
        "POST /api/v1/clients: request body application/json has no example",
        "POST /api/v1/clients: 201 application/json schema \"#/components/schemas/ClientView\" has no example",
        "GET /api/v1/clients: x-permission \"clients.peek\" is not",
        "GET /api/v1/clients: 200 application/json schema \"#/components/schemas/ClientPage\" has no example",
        "GET /api/v1/clients/{id}: lacks a 404 response",
        "GET /api/v1/clients/{id}: security is []",
        "GET /api/v1/clients/{id}: 401 is not application/problem+json",
        "operationId \"list_clients\" is used by",
    ] {
        assert!(
            found.contains(expected),
            "planted defect not reported: {expected}\nreported:\n{found}"
        );
    }
}

#[test]
fn a_drift_is_located_precisely() {
    let committed = committed();
    let mut drifted = committed.clone();
    drifted["paths"]["/api/v1/clients"]["get"]["summary"] = json!("List the clients");
    assert_eq!(first_difference(&committed, &committed, ""), None);
    assert_eq!(
        first_difference(&drifted, &committed, "").as_deref(),
        Some("/paths/~1api~1v1~1clients/get/summary")
    );
}

/// Every `http://` or `https://` URL in `text`, as (url, host).
fn absolute_urls(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for scheme in ["http://", "https://"] {
        for (at, _) in text.match_indices(scheme) {
            let rest = &text[at..];
            let end = rest
                .find(|c: char| c.is_whitespace() || "\"'<>()`".contains(c))
                .unwrap_or(rest.len());
            let url = &rest[..end];
            let host = url[scheme.len()..]
                .split(['/', '?', '#'])
                .next()
                .unwrap_or_default();
            found.push((url.to_owned(), host.to_owned()));
        }
    }
    found
}

/// The values of `src="..."` and `href="..."` attributes.
fn linked(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attr in ["src=", "href="] {
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                links.push(rest[1..=end].to_owned());
            }
        }
    }
    links
}

#[actix_web::test]
async fn the_docs_page_works_offline() {
    let app = TestApp::spawn().await;
    const HOST: &str = "suits.test";
    let res = app.get("/docs/").header("host", HOST).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(
        res.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "content type {:?}",
        res.header("content-type")
    );
    let html = res.text();
    let foreign: Vec<_> = absolute_urls(&html)
        .into_iter()
        .filter(|(_, host)| host != HOST)
        .collect();
    assert!(
        foreign.is_empty(),
        "the docs page refers to other hosts, so it needs a network: {foreign:?}"
    );

    // The page must also find its scripts and styles here, and be pointed at this spec.
    let links = linked(&html);
    assert!(!links.is_empty(), "the docs page links no assets: {html}");
    let mut shows_our_spec = html.contains("/api/v1/openapi.json");
    for link in links.iter().filter(|l| !l.starts_with("data:")) {
        let path = if link.starts_with('/') {
            link.clone()
        } else {
            format!("/docs/{}", link.trim_start_matches("./"))
        };
        let asset = app.get(&path).header("host", HOST).send().await;
        assert_eq!(asset.status, 200, "docs asset {link} ({path})");
        shows_our_spec |= asset.text().contains("/api/v1/openapi.json");
    }
    assert!(
        shows_our_spec,
        "neither the docs page nor its assets point at /api/v1/openapi.json"
    );
}

#[actix_web::test]
async fn docs_without_a_slash_redirects() {
    let app = TestApp::spawn().await;
    let res = app.get("/docs").send().await;
    assert!(res.status.is_redirection(), "status {}", res.status);
    assert_eq!(res.header("location"), Some("/docs/"));
}

/// What generated clients got wrong: a wrong password must be a documented answer (not an
/// undocumented one that turns into `None`), and an audit event's changes must be typed.
#[test]
fn generated_clients_get_the_login_401_and_typed_changes() {
    let doc = suits::openapi::document();
    let login = &doc["paths"]["/api/v1/auth/token"]["post"]["responses"];
    assert!(login["401"].is_object(), "login documents 401: {login}");
    let changes = &doc["components"]["schemas"]["AuditEvent"]["properties"]["changes"];
    assert_eq!(
        changes["additionalProperties"]["$ref"],
        "#/components/schemas/FieldChange"
    );
    let change = &doc["components"]["schemas"]["FieldChange"];
    assert_eq!(change["required"], json!(["after", "before"]));
}
