use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::*;

async fn login(app: &TestApp, email: &str, password: &str) -> Resp {
    app.post("/api/v1/auth/token")
        .json(json!({"email": email, "password": password}))
        .send()
        .await
}

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn claims(sub: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub.to_string(), "iss": "suits", "aud": "suits-api", "iat": now, "exp": now + 600})
}

async fn assert_rejected(app: &TestApp, token: &str) -> Value {
    let res = app.get("/api/v1/me").token(token).send().await;
    let problem = res.problem(401);
    assert!(res
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));
    problem
}

#[actix_web::test]
async fn a_good_login_returns_a_bearer_token_that_works() {
    let app = TestApp::spawn().await;
    let res = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let token = body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me").token(token).send().await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], ADMIN_EMAIL);
}

#[actix_web::test]
async fn login_ignores_the_case_of_the_email() {
    let app = TestApp::spawn().await;
    let res = login(&app, &ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn wrong_password_unknown_email_and_deactivated_accounts_get_the_same_401() {
    let app = TestApp::spawn().await;
    let (id, _) = app.staff("account_executive").await;
    let email = app.email_of(id).await;
    app.patch(&format!("/api/v1/staff/{id}"))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;

    let wrong_password = login(&app, ADMIN_EMAIL, "not-the-password")
        .await
        .problem(401);
    let unknown = login(&app, "nobody@suits.test", ADMIN_PASSWORD)
        .await
        .problem(401);
    let deactivated = login(&app, &email, STAFF_PASSWORD).await.problem(401);
    assert_eq!(wrong_password["detail"], unknown["detail"]);
    assert_eq!(unknown["detail"], deactivated["detail"]);
}

#[actix_web::test]
async fn login_with_missing_fields_is_a_validation_problem() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/auth/token")
        .json(json!({"email": ADMIN_EMAIL}))
        .send()
        .await;
    res.problem(422);
    assert_eq!(res.error_fields(), ["password"]);
}

#[actix_web::test]
async fn a_missing_or_malformed_authorization_header_is_401() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/me").send().await;
    assert!(res.problem(401)["detail"]
        .as_str()
        .unwrap()
        .contains("Authorization"));
    for value in ["Token abc", "Bearer", "Bearer ", "Basic YWRtaW46cGFzcw=="] {
        let res = app
            .get("/api/v1/me")
            .header("authorization", value)
            .send()
            .await;
        res.problem(401);
    }
}

#[actix_web::test]
async fn garbage_and_forged_tokens_are_401() {
    let app = TestApp::spawn().await;
    assert_rejected(&app, "not.a.jwt").await;
    assert_rejected(&app, "abc").await;
    let forged = sign(
        &claims(app.admin_id),
        "another-secret-another-secret-another-secret",
    );
    assert_rejected(&app, &forged).await;
}

#[actix_web::test]
async fn an_expired_token_is_401_and_says_so() {
    let app = TestApp::spawn().await;
    let mut expired = claims(app.admin_id);
    let now = chrono::Utc::now().timestamp();
    expired["iat"] = json!(now - 7200);
    expired["exp"] = json!(now - 3600);
    let problem = assert_rejected(&app, &sign(&expired, JWT_SECRET)).await;
    assert!(problem["detail"].as_str().unwrap().contains("expired"));
}

#[actix_web::test]
async fn a_token_not_valid_yet_is_401_and_says_so() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let mut tomorrow = claims(app.admin_id);
    tomorrow["nbf"] = json!(now + 86_400);
    let problem = assert_rejected(&app, &sign(&tomorrow, JWT_SECRET)).await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("not valid yet"));
    let mut from_the_future = claims(app.admin_id);
    from_the_future["iat"] = json!(now + 86_400);
    from_the_future["exp"] = json!(now + 90_000);
    assert_rejected(&app, &sign(&from_the_future, JWT_SECRET)).await;

    // Within the tolerated clock skew, and once the time has come, the token works.
    let mut soon = claims(app.admin_id);
    soon["nbf"] = json!(now + 5);
    let res = app
        .get("/api/v1/me")
        .token(&sign(&soon, JWT_SECRET))
        .send()
        .await;
    assert_eq!(res.status, 200);
    let mut past = claims(app.admin_id);
    past["nbf"] = json!(now - 60);
    let res = app
        .get("/api/v1/me")
        .token(&sign(&past, JWT_SECRET))
        .send()
        .await;
    assert_eq!(res.status, 200);
}

#[actix_web::test]
async fn issued_tokens_carry_a_not_before_time() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["nbf"], claims["iat"]);
}

#[actix_web::test]
async fn alg_none_is_401() {
    let app = TestApp::spawn().await;
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(claims(app.admin_id))
    );
    assert_rejected(&app, &unsigned).await;
}

#[actix_web::test]
async fn wrong_audience_issuer_or_missing_claims_are_401() {
    let app = TestApp::spawn().await;
    let mut wrong_aud = claims(app.admin_id);
    wrong_aud["aud"] = json!("another-api");
    assert_rejected(&app, &sign(&wrong_aud, JWT_SECRET)).await;

    let mut wrong_iss = claims(app.admin_id);
    wrong_iss["iss"] = json!("someone-else");
    assert_rejected(&app, &sign(&wrong_iss, JWT_SECRET)).await;

    for claim in ["exp", "iat", "sub", "aud", "iss"] {
        let mut missing = claims(app.admin_id);
        missing.as_object_mut().unwrap().remove(claim);
        assert_rejected(&app, &sign(&missing, JWT_SECRET)).await;
    }
}

#[actix_web::test]
async fn a_token_for_a_staff_member_who_does_not_exist_is_401() {
    let app = TestApp::spawn().await;
    assert_rejected(&app, &sign(&claims(987_654), JWT_SECRET)).await;
}

#[actix_web::test]
async fn deactivation_stops_a_token_on_the_next_request() {
    let app = TestApp::spawn().await;
    let (id, token) = app.staff("account_manager").await;
    assert_eq!(app.get("/api/v1/me").token(&token).send().await.status, 200);

    let res = app
        .patch(&format!("/api/v1/staff/{id}"))
        .token(&app.admin_token())
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    assert_rejected(&app, &token).await;
    app.get("/api/v1/clients")
        .token(&token)
        .send()
        .await
        .problem(401);

    app.patch(&format!("/api/v1/staff/{id}"))
        .token(&app.admin_token())
        .json(json!({"active": true}))
        .send()
        .await;
    assert_eq!(app.get("/api/v1/me").token(&token).send().await.status, 200);
}
