//! Edits, deletes and cancellation: what each state allows, and races.

use super::*;

#[actix_web::test]
async fn a_draft_is_edited_with_a_merge_patch_and_audited() {
    let app = TestApp::spawn().await;
    let account = account(&app, "Acme").await;
    let brief = app.brief(account["id"].as_i64().unwrap(), "Launch").await;
    let res = patch(
        &app,
        &brief,
        json!({"key_message": "Crunch time", "due_date": "2026-04-01", "title": " Relaunch "}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let edited = res.json();
    assert_eq!(edited["title"], "Relaunch");
    assert_eq!(edited["key_message"], "Crunch time");
    assert_eq!(edited["due_date"], "2026-04-01");
    assert_eq!(edited["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let cleared = patch(&app, &brief, json!({"due_date": null})).await.json();
    assert_eq!(cleared["due_date"], Value::Null);
    let trail = audit_trail(&app, "briefs", &brief["id"].to_string()).await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["briefs.create", "briefs.update", "briefs.update"]);
    assert_eq!(
        trail[1]["changes"]["due_date"],
        json!({"before": null, "after": "2026-04-01"})
    );
}

#[actix_web::test]
async fn a_cancelled_brief_cannot_be_edited_deleted_or_cancelled_again() {
    let app = TestApp::spawn().await;
    let account = account(&app, "Acme").await;
    let brief = app.brief(account["id"].as_i64().unwrap(), "Launch").await;
    let token = app.admin_token();
    let res = cancel(&app, &token, &brief).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let cancelled = res.json();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["version"], 2);
    assert_eq!(
        cancelled["allowed_actions"],
        json!([]),
        "nothing is left to do with it"
    );
    let id = brief["id"].as_i64().unwrap();
    let state = format!("brief {id} is cancelled");

    for body in [json!({"title": "Again"}), json!({})] {
        let problem = patch(&app, &brief, body).await.problem(409);
        assert!(
            problem["detail"].as_str().unwrap().starts_with(&state),
            "{problem}"
        );
    }
    let problem = app
        .delete(&brief_url(&brief["id"]))
        .token(&token)
        .send()
        .await
        .problem(409);
    assert!(
        problem["detail"].as_str().unwrap().starts_with(&state),
        "{problem}"
    );
    let problem = cancel(&app, &token, &brief).await.problem(409);
    assert_eq!(
        problem["detail"],
        format!("{state}; only a brief not yet delivered or cancelled can be cancelled")
    );

    let stored = app
        .get(&brief_url(&brief["id"]))
        .token(&token)
        .send()
        .await
        .json();
    assert_eq!(stored["version"], 2, "no refused request wrote anything");
    let trail = audit_trail(&app, "briefs", &id.to_string()).await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["briefs.create", "briefs.cancel"]);
    assert_eq!(
        trail[1]["changes"]["status"],
        json!({"before": "draft", "after": "cancelled"})
    );
}

#[actix_web::test]
async fn a_draft_is_deleted_with_its_trail_saying_so() {
    let app = TestApp::spawn().await;
    let account = account(&app, "Acme").await;
    let brief = app.brief(account["id"].as_i64().unwrap(), "Launch").await;
    let token = app.admin_token();
    let res = app
        .delete(&brief_url(&brief["id"]))
        .token(&token)
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    app.get(&brief_url(&brief["id"]))
        .token(&token)
        .send()
        .await
        .problem(404);
    let trail = audit_trail(&app, "briefs", &brief["id"].to_string()).await;
    assert_eq!(trail.last().unwrap()["action"], "briefs.delete");
}

#[actix_web::test]
async fn of_fifty_concurrent_cancels_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let account = account(&app, "Acme").await;
    let brief = app.brief(account["id"].as_i64().unwrap(), "Launch").await;
    let token = app.admin_token();
    let responses =
        futures_util::future::join_all((0..50).map(|_| cancel(&app, &token, &brief))).await;
    let won = responses.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        won,
        1,
        "{:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for res in responses.iter().filter(|r| r.status != 200) {
        let problem = res.problem(409);
        assert!(
            problem["detail"].as_str().unwrap().contains("is cancelled"),
            "{problem}"
        );
    }
    let trail = audit_trail(&app, "briefs", &brief["id"].to_string()).await;
    assert_eq!(trail.len(), 2, "one create, one cancel: {trail:?}");
}

#[actix_web::test]
async fn an_executive_cancels_only_briefs_of_their_own_accounts() {
    let app = TestApp::spawn().await;
    let mine = account(&app, "Mine").await;
    let theirs = account(&app, "Theirs").await;
    let (executive, token) = app.staff("account_executive").await;
    app.assign(&mine["id"], executive).await;
    let own = app.brief(mine["id"].as_i64().unwrap(), "Own").await;
    let other = app.brief(theirs["id"].as_i64().unwrap(), "Other").await;
    assert_eq!(cancel(&app, &token, &own).await.status, 200);
    let problem = cancel(&app, &token, &other).await.problem(404);
    assert_eq!(
        problem["detail"],
        format!("brief {} not found", other["id"])
    );
}
