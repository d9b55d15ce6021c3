//! `POST /auth/token` with `grant_type=client_credentials` (RFC 6749 §4.4): HTTP Basic or
//! form fields; refusals as problems carrying the OAuth error code.

use serde_json::json;

use super::{assert_invalid_client, basic, grant, token_of};
use crate::helpers::*;

const FORM: &str = "application/x-www-form-urlencoded";

#[actix_web::test]
async fn client_credentials_in_basic_get_an_access_token_that_works() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    let res = grant(&app, &account.client_id, &account.client_secret).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() > 0);
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token: {body}"
    );
    let me = app
        .get("/api/v1/me")
        .token(body["access_token"].as_str().unwrap())
        .send()
        .await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["id"], account.id);
    assert_eq!(me.json()["kind"], "service");
}

#[actix_web::test]
async fn client_credentials_in_the_form_work_too() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    let res = app
        .post("/api/v1/auth/token")
        .body(
            FORM,
            format!(
                "grant_type=client_credentials&client_id={}&client_secret={}&scope=anything",
                account.client_id, account.client_secret
            ),
        )
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let token = res.json()["access_token"].as_str().unwrap().to_owned();
    let staff = app.get("/api/v1/staff").token(&token).send().await;
    assert_eq!(staff.status, 200, "{}", staff.text());
}

#[actix_web::test]
async fn a_wrong_secret_and_an_unknown_client_are_the_same_401() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    let wrong = grant(&app, &account.client_id, "not-the-secret").await;
    let unknown = grant(
        &app,
        "sa_00000000000000000000000000000000",
        &account.client_secret,
    )
    .await;
    let a = assert_invalid_client(&wrong);
    let b = assert_invalid_client(&unknown);
    assert_eq!(
        a["detail"], b["detail"],
        "neither says which part was wrong"
    );

    // A control character in a form credential: no client has one.
    let res = app
        .post("/api/v1/auth/token")
        .body(
            FORM,
            format!(
                "grant_type=client_credentials&client_id={}%00&client_secret=x",
                account.client_id
            ),
        )
        .send()
        .await;
    assert_invalid_client(&res);
    // Parameters the grant does not read are ignored, however odd.
    let res = app
        .post("/api/v1/auth/token")
        .header(
            "authorization",
            &basic(&account.client_id, &account.client_secret),
        )
        .body(FORM, "grant_type=client_credentials&x%01=1&x%01=%00")
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    // No credentials at all, a malformed Basic header, another scheme: the same refusal.
    for authorization in [
        None,
        Some("Basic !!!"),
        Some("Basic Zm9v"),
        Some("Bearer x"),
    ] {
        let req = app.post("/api/v1/auth/token");
        let req = match authorization {
            Some(value) => req.header("authorization", value),
            None => req,
        };
        let res = req.body(FORM, "grant_type=client_credentials").send().await;
        assert_invalid_client(&res);
    }
}

#[actix_web::test]
async fn another_grant_type_is_a_400_unsupported_grant_type() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    for grant_type in ["password", "authorization_code", "refresh_token"] {
        let res = app
            .post("/api/v1/auth/token")
            .header(
                "authorization",
                &basic(&account.client_id, &account.client_secret),
            )
            .body(FORM, format!("grant_type={grant_type}"))
            .send()
            .await;
        let problem = res.problem(400);
        assert_eq!(problem["error"], "unsupported_grant_type", "{grant_type}");
    }
}

#[actix_web::test]
async fn a_malformed_grant_is_a_400_invalid_request() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    let auth = basic(&account.client_id, &account.client_secret);
    let both_ways = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        account.client_id, account.client_secret
    );
    for body in [
        "",
        "scope=x",
        "grant_type=client_credentials&grant_type=client_credentials",
        "grant_type=client_credentials&scope=a&scope=b",
        both_ways.as_str(),
    ] {
        let res = app
            .post("/api/v1/auth/token")
            .header("authorization", &auth)
            .body(FORM, body)
            .send()
            .await;
        let problem = res.problem(400);
        assert_eq!(problem["error"], "invalid_request", "{body:?}");
    }
}

#[actix_web::test]
async fn the_password_grant_refuses_a_service_account() {
    let app = TestApp::spawn().await;
    let account = app.service_account("account_manager").await;
    let email = app.email_of(account.id).await;
    for password in [account.client_secret.as_str(), "!service-account", ""] {
        let res = app
            .post("/api/v1/auth/token")
            .json(json!({"email": email, "password": password}))
            .send()
            .await;
        assert!(
            res.status == 401 || res.status == 422,
            "{password:?}: {}",
            res.text()
        );
    }
    let res = app
        .post("/api/v1/auth/token")
        .json(json!({"email": email, "password": account.client_secret}))
        .send()
        .await;
    let problem = res.problem(401);
    assert!(
        problem.get("error").is_none(),
        "the password grant's own 401"
    );
    // The JSON password grant is unchanged for people.
    let signed_in = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(signed_in["refresh_token"].is_string());
}

#[actix_web::test]
async fn failed_client_authentications_count_toward_the_sign_in_limits() {
    let app = TestApp::spawn_with(&[
        ("SUITS_LOGIN_FAILURES_PER_ACCOUNT", "3"),
        ("SUITS_LOGIN_FAILURES_PER_ADDRESS", "100"),
    ])
    .await;
    let account = app.service_account("account_manager").await;
    for _ in 0..3 {
        assert_invalid_client(&grant(&app, &account.client_id, "wrong").await);
    }
    let res = grant(&app, &account.client_id, "wrong").await;
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    // Over the limit, even the right secret is not checked.
    grant(&app, &account.client_id, &account.client_secret)
        .await
        .problem(429);
    // Another client is not affected.
    let other = app.service_account("account_manager").await;
    token_of(&app, &other).await;
}

#[actix_web::test]
async fn failed_client_authentications_count_per_address_across_clients() {
    let app = TestApp::spawn_with(&[
        ("SUITS_LOGIN_FAILURES_PER_ACCOUNT", "100"),
        ("SUITS_LOGIN_FAILURES_PER_ADDRESS", "3"),
    ])
    .await;
    let from = |client_id: String| {
        let app = &app;
        async move {
            app.post("/api/v1/auth/token")
                .peer("198.51.100.7:4711")
                .header("authorization", &basic(&client_id, "wrong"))
                .body(FORM, "grant_type=client_credentials")
                .send()
                .await
        }
    };
    for n in 0..3 {
        assert_invalid_client(&from(format!("sa_guess{n}")).await);
    }
    from("sa_guess_next".to_owned()).await.problem(429);
}
