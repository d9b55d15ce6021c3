//! Every `POST` a caller signs takes an `Idempotency-Key` alike: the same key and request
//! replay the first success without doing the work again; the same key with another
//! request is a 422, a malformed key a 400 (after the 401 of a missing token); a failure
//! is not kept; keys are per caller, remembered for their lifetime only, and of concurrent
//! twins exactly one runs.

use actix_web::http::Method;

use super::*;
use crate::recipes::Requirement;

/// The signed `POST`s, each checked against the document for the header.
fn keyed_posts() -> Vec<Operation> {
    let doc = suits::openapi::document();
    let ops = having(
        |op| op.method == Method::POST && op.requirement != Requirement::Public,
        6,
        "taking a POST with a token",
    );
    for op in &ops {
        let params = doc["paths"][&op.path]["post"]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            params
                .iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
            "{} does not document Idempotency-Key",
            op.id
        );
    }
    ops
}

/// A secret an answer shows once (a service account's client secret): never kept, so a
/// replay answers without it.
const SHOWN_ONCE: &str = "client_secret";

/// What a replay repeats of an answer: all of it but a secret shown once.
fn kept(res: &Resp) -> Value {
    if res.body.is_empty() {
        return Value::Null;
    }
    let mut body = res.json();
    if let Some(object) = body.as_object_mut() {
        object.remove(SHOWN_ONCE);
    }
    body
}

/// How many audit events there are: every write makes at least one.
async fn events(app: &TestApp) -> usize {
    let mut count = 0;
    let mut query = "limit=200".to_owned();
    loop {
        let res = app
            .get(&format!("/api/v1/audit-events?{query}"))
            .token(&app.admin_token())
            .send()
            .await;
        let page = res.json();
        count += page["data"].as_array().expect("data").len();
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=200&cursor={cursor}"),
            None => return count,
        }
    }
}

#[actix_web::test]
async fn every_signed_post_replays_its_first_success_for_the_same_key_and_request() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    for (n, op) in keyed_posts().iter().enumerate() {
        let call = fresh_call(&app, &cast, op).await;
        let key = format!("\"replay-{n}\"");
        let first = call
            .request(&app)
            .token(&token)
            .header("idempotency-key", &key)
            .send()
            .await;
        assert!(first.status.is_success(), "{}: {}", op.id, first.text());
        assert_eq!(first.header("idempotent-replayed"), None, "{}", op.id);
        let written = events(&app).await;

        // Quoted or bare, the key is the same.
        let bare = key.trim_matches('"');
        for sent in [key.as_str(), bare] {
            let again = call
                .request(&app)
                .token(&token)
                .header("idempotency-key", sent)
                .send()
                .await;
            assert_eq!(
                again.status,
                first.status,
                "{} replay: {}",
                op.id,
                again.text()
            );
            assert_eq!(kept(&again), kept(&first), "{}: the same answer", op.id);
            assert!(
                again.body.is_empty() || again.json().get(SHOWN_ONCE).is_none(),
                "{}: a secret is shown once, never replayed",
                op.id
            );
            assert_eq!(
                again.header("idempotent-replayed"),
                Some("true"),
                "{}",
                op.id
            );
            for name in ["location", "etag", "content-type"] {
                assert_eq!(again.header(name), first.header(name), "{} {name}", op.id);
            }
        }
        assert_eq!(
            events(&app).await,
            written,
            "{}: the work was done once",
            op.id
        );

        // The same key on another request (here: another query string) is refused.
        let other = Call {
            path: format!("{}?again", call.path),
            ..call
        };
        let res = other
            .request(&app)
            .token(&token)
            .header("idempotency-key", &key)
            .send()
            .await;
        let problem = res.problem(422);
        assert_eq!(
            error(&problem, "Idempotency-Key")["code"],
            "invalid",
            "{}",
            op.id
        );
        assert_eq!(events(&app).await, written, "{}: nothing written", op.id);
    }
}

#[actix_web::test]
async fn a_malformed_key_is_a_400_naming_it_after_the_401_of_a_missing_token() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let too_long = "k".repeat(256);
    for op in keyed_posts() {
        let call = fresh_call(&app, &cast, &op).await;
        for bad in [
            "",
            "\"\"",
            "two words",
            "\"unterminated",
            "back\\slash",
            too_long.as_str(),
        ] {
            let res = call
                .request(&app)
                .token(&app.admin_token())
                .header("idempotency-key", bad)
                .send()
                .await;
            let problem = res.problem(400);
            assert_eq!(
                error(&problem, "Idempotency-Key")["code"],
                "format",
                "{} {bad:?}",
                op.id
            );
            let res = call
                .request(&app)
                .header("idempotency-key", bad)
                .send()
                .await;
            res.problem(401);
        }
    }
}

#[actix_web::test]
async fn a_failure_is_not_kept_so_the_retry_runs_again() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let send = |body: Value| {
        app.post("/api/v1/clients")
            .token(&token)
            .header("idempotency-key", "fix-and-retry")
            .json(body)
            .send()
    };
    send(json!({"name": ""})).await.problem(422);
    // The corrected request is another request, yet the key is free again: nothing was
    // written the first time.
    let res = send(json!({"name": "Acme"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let again = send(json!({"name": "Acme"})).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
}

#[actix_web::test]
async fn keys_belong_to_their_caller() {
    let app = TestApp::spawn().await;
    let (_, director) = app.staff("account_director").await;
    let mut ids = Vec::new();
    for (token, name) in [(app.admin_token(), "Acme"), (director.clone(), "Globex")] {
        let res = app
            .post("/api/v1/clients")
            .token(&token)
            .header("idempotency-key", "shared-key")
            .json(json!({"name": name}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        assert_eq!(res.header("idempotent-replayed"), None);
        ids.push(res.json()["id"].clone());
    }
    assert_ne!(ids[0], ids[1]);
}

#[actix_web::test]
async fn of_concurrent_twins_exactly_one_runs() {
    let app = TestApp::spawn().await;
    let before = events(&app).await;
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..10).map(|_| {
        app.post("/api/v1/clients")
            .token(&token)
            .header("idempotency-key", "twins")
            .json(json!({"name": "Acme"}))
            .send()
    }))
    .await;
    let ran = responses
        .iter()
        .filter(|r| r.status == 201 && r.header("idempotent-replayed").is_none())
        .count();
    assert_eq!(ran, 1);
    for res in &responses {
        match res.status.as_u16() {
            201 => {}
            409 => {
                let problem = res.problem(409);
                assert!(
                    problem["detail"]
                        .as_str()
                        .unwrap()
                        .contains("still in progress"),
                    "{problem}"
                );
            }
            other => panic!("{other}: {}", res.text()),
        }
    }
    assert_eq!(events(&app).await, before + 1);
}

#[actix_web::test]
async fn a_key_past_its_lifetime_is_forgotten() {
    let app = TestApp::spawn_with(&[("SUITS_IDEMPOTENCY_TTL", "1")]).await;
    let account = app.account(&app.client("Acme").await["id"], "Snacks").await;
    let mut ids = Vec::new();
    for round in 0..2 {
        if round == 1 {
            // Past the one-second lifetime.
            actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        let res = app
            .post("/api/v1/briefs")
            .token(&app.admin_token())
            .header("idempotency-key", "short-lived")
            .json(json!({"account_id": account["id"], "title": "Launch"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        assert_eq!(res.header("idempotent-replayed"), None);
        ids.push(res.json()["id"].clone());
    }
    assert_ne!(ids[0], ids[1], "the second request ran again");
}

#[actix_web::test]
async fn a_deactivated_caller_gets_no_replay() {
    let app = TestApp::spawn().await;
    let (director_id, director) = app.staff("account_director").await;
    let send = || {
        app.post("/api/v1/clients")
            .token(&director)
            .header("idempotency-key", "before-leaving")
            .json(json!({"name": "Acme"}))
            .send()
    };
    assert_eq!(send().await.status, 201);
    let res = app
        .patch(&format!("/api/v1/staff/{director_id}"))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    send().await.problem(401);
}

#[actix_web::test]
async fn a_malformed_key_without_the_permission_is_a_403() {
    let app = TestApp::spawn().await;
    let (_, coordinator) = app.staff("account_coordinator").await;
    let res = app
        .post("/api/v1/clients")
        .token(&coordinator)
        .header("idempotency-key", "two words")
        .json(json!({"name": "Acme"}))
        .send()
        .await;
    res.problem(403);
}

#[actix_web::test]
async fn another_instance_on_the_same_database_replays_the_answer() {
    let app = TestApp::spawn().await;
    let other = app.sibling().await;
    let mut answers = Vec::new();
    for instance in [&app, &other] {
        let res = instance
            .post("/api/v1/clients")
            .token(&instance.admin_token())
            .header("idempotency-key", "across-instances")
            .json(json!({"name": "Acme"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        answers.push(res);
    }
    assert_eq!(answers[0].header("idempotent-replayed"), None);
    assert_eq!(answers[1].header("idempotent-replayed"), Some("true"));
    assert_eq!(answers[1].body, answers[0].body);
}
