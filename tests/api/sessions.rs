//! UI sessions: refresh tokens rotate on every use, a second use of one ends the session,
//! signing out and deactivation end it too.

use serde_json::{json, Value};

use crate::helpers::*;

async fn refresh(app: &TestApp, token: &str) -> Resp {
    app.post("/api/v1/auth/refresh")
        .json(json!({"refresh_token": token}))
        .send()
        .await
}

fn refresh_token(session: &Value) -> String {
    session["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned()
}

/// The 401 of a refused refresh, whatever the reason but a second use (which says the
/// session ended): nothing tells a guesser which.
const INVALID: &str = "the refresh token is not valid; sign in again";

#[actix_web::test]
async fn a_refresh_answers_a_working_access_token_and_the_next_refresh_token() {
    let app = TestApp::spawn().await;
    let session = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(session["refresh_expires_in"], 30 * 24 * 3600);
    let res = refresh(&app, &refresh_token(&session)).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let next = res.json();
    assert_eq!(next["token_type"], "Bearer");
    assert_ne!(refresh_token(&next), refresh_token(&session));
    let me = app
        .get("/api/v1/me")
        .token(next["access_token"].as_str().unwrap())
        .send()
        .await;
    assert_eq!(me.status, 200);
    // And the next one works in turn.
    assert_eq!(refresh(&app, &refresh_token(&next)).await.status, 200);
}

#[actix_web::test]
async fn a_spent_refresh_token_used_again_ends_the_whole_session() {
    let app = TestApp::spawn().await;
    let session = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let stolen = refresh_token(&session);
    let next = refresh(&app, &stolen).await.json();
    let problem = refresh(&app, &stolen).await.problem(401);
    assert!(
        problem["detail"].as_str().unwrap().contains("already used"),
        "{problem}"
    );
    // The legitimate holder's token went with it: both sign in again.
    let problem = refresh(&app, &refresh_token(&next)).await.problem(401);
    assert_eq!(problem["detail"], INVALID);
    // Another session of the same person is not touched.
    let other = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(refresh(&app, &refresh_token(&other)).await.status, 200);
}

#[actix_web::test]
async fn of_concurrent_refreshes_with_one_token_exactly_one_succeeds() {
    let app = TestApp::spawn().await;
    let token = refresh_token(&app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await);
    let responses = futures_util::future::join_all((0..10).map(|_| refresh(&app, &token))).await;
    let won: Vec<&Resp> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(won.len(), 1);
    for res in responses.iter().filter(|r| r.status != 200) {
        res.problem(401);
    }
}

#[actix_web::test]
async fn signing_out_ends_the_session_and_twice_is_harmless() {
    let app = TestApp::spawn().await;
    let session = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let token = refresh_token(&session);
    for _ in 0..2 {
        let res = app
            .post("/api/v1/auth/logout")
            .json(json!({"refresh_token": token}))
            .send()
            .await;
        assert_eq!(res.status, 204, "{}", res.text());
    }
    assert_eq!(refresh(&app, &token).await.problem(401)["detail"], INVALID);
    let res = app
        .post("/api/v1/auth/logout")
        .json(json!({"refresh_token": "never-issued"}))
        .send()
        .await;
    assert_eq!(res.status, 204, "an unknown token says nothing either");
}

#[actix_web::test]
async fn deactivation_ends_every_session_for_good() {
    let app = TestApp::spawn().await;
    let (id, _) = app.staff("account_executive").await;
    let email = app.email_of(id).await;
    let session = app.sign_in(&email, STAFF_PASSWORD).await;
    for active in [false, true] {
        let res = app
            .patch(&format!("/api/v1/staff/{id}"))
            .token(&app.admin_token())
            .json(json!({"active": active}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    // Reactivated, they sign in again; the session from before does not come back.
    assert_eq!(
        refresh(&app, &refresh_token(&session)).await.problem(401)["detail"],
        INVALID
    );
    let again = app.sign_in(&email, STAFF_PASSWORD).await;
    assert_eq!(refresh(&app, &refresh_token(&again)).await.status, 200);
}

#[actix_web::test]
async fn unknown_and_expired_refresh_tokens_get_the_same_401() {
    let app = TestApp::spawn_with(&[("SUITS_REFRESH_TTL", "1")]).await;
    let token = refresh_token(&app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    for sent in [token.as_str(), "never-issued"] {
        assert_eq!(refresh(&app, sent).await.problem(401)["detail"], INVALID);
    }
}
