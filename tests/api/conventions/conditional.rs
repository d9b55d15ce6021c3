//! Every `GET` answers `HEAD` alike, and every `GET` of a record with an `ETag` honours
//! `If-None-Match` alike (RFC 9110 §9.3.2, §13.1.2): the current tag, its weak form, `*`
//! or a list holding it is a bodiless 304 that keeps the tag; anything else, malformed
//! included, is the record. Only reads are conditional this way, and only after the
//! caller may read: permission and scope answer first.

use actix_web::http::Method;

use super::*;
use crate::recipes::{unique, Ctx, Scene};

/// Whether the spec says `op`'s 200 carries an `ETag`.
fn tags_its_answer(doc: &Value, op: &Operation) -> bool {
    let method = op.method.as_str().to_ascii_lowercase();
    let ok = resolve(doc, &doc["paths"][&op.path][&method]["responses"]["200"]);
    ok["headers"].get("ETag").is_some()
}

/// The `GET`s of records with an `ETag`, at least the four resources that have them.
fn tagged_reads() -> Vec<Operation> {
    let doc = suits::openapi::document();
    having(
        |op| op.method == Method::GET && tags_its_answer(&doc, op),
        4,
        "reading a record with an ETag",
    )
}

/// `op`'s recipe on records of its own, with the scene, for a test that goes on to
/// change or reach those records otherwise.
async fn staged_call(app: &TestApp, cast: &Cast, op: &Operation) -> (Call, Scene) {
    let recipe = recipe_for(op).unwrap_or_else(|e| panic!("{e} (add it to tests/api/recipes.rs)"));
    let scene = stage(app, cast, recipe.scoping, None).await;
    let call = Call::new(app, op, &scene).await;
    (call, scene)
}

/// A 304 with no body that keeps the tag and the request id, and says nothing about
/// content it does not carry.
#[track_caller]
fn assert_not_modified(res: &Resp, tag: &str, what: &str) {
    assert_eq!(res.status, 304, "{what}: {}", res.text());
    assert!(res.body.is_empty(), "{what}: a body: {}", res.text());
    assert_eq!(res.header("etag"), Some(tag), "{what}: {:?}", res.headers);
    assert!(res.header("x-request-id").is_some(), "{what}: request id");
    for name in ["content-type", "content-length"] {
        assert!(
            res.header(name).is_none(),
            "{what}: {name} on a 304: {:?}",
            res.headers
        );
    }
}

#[track_caller]
fn assert_served(res: &Resp, tag: &str, what: &str) {
    assert_eq!(res.status, 200, "{what}: {}", res.text());
    assert_eq!(res.header("etag"), Some(tag), "{what}: {:?}", res.headers);
    assert!(res.json().is_object(), "{what}: the record");
}

/// The headers of a response but those that differ between any two requests.
fn comparable(res: &Resp) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = res
        .headers
        .iter()
        .filter(|(name, _)| !["x-request-id", "content-length", "date"].contains(&name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    headers.sort();
    headers
}

#[actix_web::test]
async fn every_get_answers_head_with_its_status_and_headers_and_no_body() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let mut calls: Vec<(String, Call)> = Vec::new();
    for op in having(|op| op.method == Method::GET, 10, "reading") {
        calls.push((op.id.clone(), fresh_call(&app, &cast, &op).await));
    }
    // Served by a plain route, outside the document it serves.
    calls.push((
        "openapi.json".into(),
        Call {
            method: Method::GET,
            path: "/api/v1/openapi.json".into(),
            body: None,
            ndjson: false,
        },
    ));
    // A caller without the token sees a 401 problem's headers alike.
    for (id, call) in &calls {
        for token in [Some(token.as_str()), None] {
            let send = |method: Method| {
                let req = app.request(method, &call.path);
                match token {
                    Some(token) => req.token(token),
                    None => req,
                }
                .send()
            };
            let get = send(Method::GET).await;
            let head = send(Method::HEAD).await;
            let what = format!("HEAD {} ({id}, token: {})", call.path, token.is_some());
            assert_eq!(head.status, get.status, "{what}: {}", head.text());
            assert!(head.body.is_empty(), "{what}: a body: {}", head.text());
            assert!(!get.body.is_empty(), "{what}: the GET has a body");
            assert_eq!(comparable(&head), comparable(&get), "{what}");
            // The metrics count every request, the GET just made too: no two are alike.
            if id != "get_metrics" {
                assert_eq!(
                    head.header("content-length"),
                    Some(get.body.len().to_string().as_str()),
                    "{what}: the GET's length"
                );
            }
            assert!(head.header("x-request-id").is_some(), "{what}: request id");
        }
    }
    assert!(calls.len() >= 11, "only {} paths", calls.len());
}

#[actix_web::test]
async fn if_none_match_with_the_current_tag_its_weak_form_or_a_star_is_a_304() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let mut checked = 0;
    for op in tagged_reads() {
        let (call, _) = staged_call(&app, &cast, &op).await;
        let send = |condition: &str| {
            call.request(&app)
                .token(&token)
                .header("if-none-match", condition)
        };
        let plain = call.request(&app).token(&token).send().await;
        let tag = plain.header("etag").expect("an ETag").to_owned();
        let weak = format!("W/{tag}");
        for condition in [
            tag.as_str(),
            weak.as_str(),
            "*",
            &format!("\"7\", {tag}"),
            &format!("{weak} , \"8\""),
        ] {
            let what = format!("{} If-None-Match: {condition}", op.id);
            let res = send(condition).send().await;
            assert_not_modified(&res, &tag, &what);
            // A HEAD is the GET without its body: the same 304.
            let res = app
                .request(Method::HEAD, &call.path)
                .token(&token)
                .header("if-none-match", condition)
                .send()
                .await;
            assert_not_modified(&res, &tag, &format!("HEAD {what}"));
            checked += 1;
        }
        // Anything that does not name the current tag — stale, another list, or not a tag
        // at all — is no match: the record is served.
        for condition in [
            "\"99\"",
            "W/\"99\"",
            "\"7\", \"8\"",
            "1",
            "\"1",
            "W/1",
            "**",
        ] {
            let what = format!("{} If-None-Match: {condition}", op.id);
            assert_served(&send(condition).send().await, &tag, &what);
            checked += 1;
        }
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(checked >= 4 * 12, "only {checked} cases");
}

#[actix_web::test]
async fn after_an_update_the_old_tag_gets_the_new_record_and_the_new_tag_a_304() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let ops = spec_operations();
    let mut checked = 0;
    for op in tagged_reads() {
        // The write that changes the same record: it moves the record's ETag.
        // A record only its own actions move (an approval: decisions, cancel) has none.
        let Some(update) = ops
            .iter()
            .find(|w| w.path == op.path && w.if_match && w.method != Method::DELETE)
        else {
            continue;
        };
        let (call, scene) = staged_call(&app, &cast, &op).await;
        let read = |condition: &str| {
            call.request(&app)
                .token(&token)
                .header("if-none-match", condition)
                .send()
        };
        let old = call.request(&app).token(&token).send().await;
        let old_tag = old.header("etag").expect("an ETag").to_owned();
        assert_not_modified(&read(&old_tag).await, &old_tag, &op.id);

        let body = recipe_for(update).unwrap().body.expect("an update body");
        let res = app
            .request(update.method.clone(), &call.path)
            .token(&token)
            .json(body(&Ctx {
                unique: unique(),
                subject: scene.subject,
                refresh_token: String::new(),
            }))
            .send()
            .await;
        assert!(res.status.is_success(), "{}: {}", update.id, res.text());
        let new_tag = res.header("etag").expect("the new ETag").to_owned();
        assert_ne!(new_tag, old_tag, "{}", update.id);

        let what = format!("{} after {}", op.id, update.id);
        let res = read(&old_tag).await;
        assert_served(&res, &new_tag, &format!("{what}, the old tag"));
        assert_ne!(res.json(), old.json(), "{what}: the changed record");
        assert_not_modified(&read(&new_tag).await, &new_tag, &what);
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} reads");
}

#[actix_web::test]
async fn if_none_match_never_turns_a_write_into_a_304() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let doc = suits::openapi::document();
    let reads = tagged_reads();
    let mut witnessed = 0;
    let mut checked = 0;
    for op in spec_operations()
        .into_iter()
        .filter(|op| op.method != Method::GET)
    {
        for condition in ["*", "current"] {
            let call = fresh_call(&app, &cast, &op).await;
            // A record shared by every case (a policy) is not new: ask for its tag.
            let current = app.get(&call.path).token(&token).send().await;
            let current = current.header("etag").unwrap_or("\"1\"").to_owned();
            let condition = if condition == "current" {
                current.as_str()
            } else {
                condition
            };
            // Where the same path is read with a tag, the same header makes that read a
            // 304: the condition holds, and the write must go ahead regardless.
            if let Some(read) = reads.iter().find(|r| r.path == op.path) {
                assert!(tags_its_answer(&doc, read));
                let res = app
                    .get(&call.path)
                    .token(&token)
                    .header("if-none-match", condition)
                    .send()
                    .await;
                assert_eq!(res.status, 304, "{} {condition}: {}", read.id, res.text());
                witnessed += 1;
            }
            let res = call
                .request(&app)
                .token(&token)
                .header("if-none-match", condition)
                .send()
                .await;
            assert_eq!(
                res.status,
                success(&op),
                "{} If-None-Match: {condition}: {}",
                op.id,
                res.text()
            );
            checked += 1;
        }
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(
        witnessed >= 2 * 4,
        "only {witnessed} writes on a tagged record"
    );
    assert!(checked >= 2 * 12, "only {checked} cases");
}

#[actix_web::test]
async fn a_conditional_get_is_a_403_without_the_permission_and_a_404_out_of_scope() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let admin = app.admin_token();
    app.role("nothing", json!([])).await;
    let (_, nobody) = app.staff("nothing").await;
    let mut scoped = 0;
    for op in tagged_reads() {
        // A reader of just this operation's permission, only where assigned (and assigned
        // nowhere).
        let role = format!("assigned_{}", op.permission.replace('.', "_"));
        let grant = json!([{"permission": op.permission, "scope": "assigned"}]);
        if app
            .get(&format!("/api/v1/roles/{role}"))
            .token(&admin)
            .send()
            .await
            .status
            == 404
        {
            app.role(&role, grant).await;
        }
        let (_, assigned) = app.staff(&role).await;
        let (call, scene) = staged_call(&app, &cast, &op).await;
        let tag = call.request(&app).token(&admin).send().await;
        let tag = tag.header("etag").expect("an ETag").to_owned();
        for condition in [tag.as_str(), "*"] {
            let send = |token: &str| {
                call.request(&app)
                    .token(token)
                    .header("if-none-match", condition)
                    .send()
            };
            assert_eq!(send(&admin).await.status, 304, "{} as admin", op.id);
            let res = send(&nobody).await;
            let problem = res.problem(403);
            assert!(
                problem["detail"].as_str().unwrap().contains(&op.permission),
                "{}: {problem}",
                op.id
            );
            if scene.subject.is_some() {
                send(&assigned).await.problem(404);
                scoped += 1;
            }
            let res = app
                .request(Method::HEAD, &call.path)
                .token(&nobody)
                .header("if-none-match", condition)
                .send()
                .await;
            assert_eq!(res.status, 403, "HEAD {}", op.id);
            assert!(res.body.is_empty(), "HEAD {}: {}", op.id, res.text());
        }
    }
    assert!(scoped >= 2 * 2, "only {scoped} out-of-scope cases");
}

#[actix_web::test]
async fn head_of_an_unknown_path_is_a_404_without_a_body() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let get = app.get("/api/v1/no-such-thing").token(&token).send().await;
    get.problem(404);
    let head = app
        .request(Method::HEAD, "/api/v1/no-such-thing")
        .token(&token)
        .send()
        .await;
    assert_eq!(head.status, 404);
    assert!(head.body.is_empty(), "{}", head.text());
    assert_eq!(
        head.header("content-type"),
        Some("application/problem+json")
    );
    assert!(head.header("x-request-id").is_some());
    // The problem a GET gets, to the byte: its detail and a request id of the same length.
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str())
    );
}

/// The `Allow` list of a 405, upper case, sorted.
fn allow(res: &Resp) -> Vec<String> {
    let mut methods: Vec<String> = res
        .header("allow")
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty())
        .collect();
    methods.sort();
    methods
}

#[actix_web::test]
async fn allow_lists_head_wherever_get_is_allowed_and_only_there() {
    let app = TestApp::spawn().await;
    let spec = suits::openapi::document();
    let mut with_get = 0;
    let mut without_get = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let methods: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_ascii_uppercase())
            .collect();
        let absent = ["POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .find(|m| !methods.iter().any(|have| have == m))
            .unwrap_or("TRACE");
        let concrete = fill(path, "1");
        let res = app.request(absent.parse().unwrap(), &concrete).send().await;
        res.problem(405);
        let allowed = allow(&res);
        if methods.iter().any(|m| m == "GET") {
            assert!(allowed.contains(&"HEAD".to_owned()), "{path}: {allowed:?}");
            with_get += 1;
        } else {
            assert!(!allowed.contains(&"HEAD".to_owned()), "{path}: {allowed:?}");
            // And a HEAD there is refused like the GET it would be.
            let head = app.request(Method::HEAD, &concrete).send().await;
            assert_eq!(head.status, 405, "HEAD {path}");
            assert!(head.body.is_empty(), "HEAD {path}: {}", head.text());
            assert!(!allow(&head).contains(&"HEAD".to_owned()), "HEAD {path}");
            without_get += 1;
        }
    }
    let res = app.post("/api/v1/openapi.json").send().await;
    assert_eq!(allow(&res), ["GET", "HEAD"]);
    assert!(
        with_get >= 10 && without_get >= 1,
        "{with_get}, {without_get}"
    );
}

#[actix_web::test]
async fn a_page_on_an_allowed_origin_may_send_head_and_read_a_304() {
    const FRONTEND: &str = "http://localhost:18101";
    let app = TestApp::spawn_with(&[("SUITS_CORS_ORIGINS", FRONTEND)]).await;
    let spec = suits::openapi::document();
    let token = app.admin_token();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let res = app
            .request(Method::OPTIONS, &fill(path, "1"))
            .header("origin", FRONTEND)
            .header("access-control-request-method", "HEAD")
            .header(
                "access-control-request-headers",
                "authorization, if-none-match",
            )
            .send()
            .await;
        assert_eq!(res.status, 200, "preflight HEAD {path}: {}", res.text());
        let methods = res
            .header("access-control-allow-methods")
            .unwrap_or_default()
            .to_ascii_uppercase();
        assert!(methods.contains("HEAD"), "{path}: {methods}");
    }

    let client = app.client("Acme Foods").await;
    let path = format!("/api/v1/clients/{}", client["id"]);
    let res = app
        .get(&path)
        .token(&token)
        .header("origin", FRONTEND)
        .header("if-none-match", "\"1\"")
        .send()
        .await;
    assert_not_modified(&res, "\"1\"", "a 304 across origins");
    assert_eq!(res.header("access-control-allow-origin"), Some(FRONTEND));
    let exposed = res
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("etag"), "{exposed}");
    let vary = res.header("vary").unwrap_or_default().to_ascii_lowercase();
    assert!(
        vary.contains("origin"),
        "a cache keys the 304 on Origin: {vary}"
    );
}
