//! Brute-force limits on sign-in: failed attempts per account and per client address.

use serde_json::{json, Value};

use crate::helpers::*;

const WINDOW_SECS: u64 = 900;

async fn spawn(per_account: &str, per_address: &str, extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![
        ("SUITS_LOGIN_FAILURES_PER_ACCOUNT", per_account),
        ("SUITS_LOGIN_FAILURES_PER_ADDRESS", per_address),
        ("SUITS_LOGIN_FAILURE_WINDOW", "900"),
    ];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(&settings).await
}

fn credentials(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

async fn login(app: &TestApp, email: &str, password: &str) -> Resp {
    app.post("/api/v1/auth/token")
        .json(credentials(email, password))
        .send()
        .await
}

async fn login_from(app: &TestApp, peer: &str, email: &str, password: &str) -> Resp {
    app.post("/api/v1/auth/token")
        .peer(peer)
        .json(credentials(email, password))
        .send()
        .await
}

/// Asserts a 429 problem with a `Retry-After` in whole seconds within the window.
#[track_caller]
fn assert_limited(res: &Resp) -> Value {
    let problem = res.problem(429);
    let retry_after: u64 = res
        .header("retry-after")
        .expect("Retry-After header")
        .parse()
        .expect("Retry-After in whole seconds");
    assert!(
        (1..=WINDOW_SECS).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&retry_after.to_string()),
        "{problem}"
    );
    problem
}

#[actix_web::test]
async fn after_the_allowed_failures_even_the_right_password_gets_429() {
    let app = spawn("3", "1000", &[]).await;
    for _ in 0..3 {
        login(&app, ADMIN_EMAIL, "wrong-password")
            .await
            .problem(401);
    }
    assert_limited(&login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await);
    assert_limited(&login(&app, ADMIN_EMAIL, "wrong-password").await);
}

#[actix_web::test]
async fn failures_count_for_the_normalised_email() {
    let app = spawn("3", "1000", &[]).await;
    for email in [
        ADMIN_EMAIL.to_uppercase(),
        format!("  {ADMIN_EMAIL} "),
        ADMIN_EMAIL.to_owned(),
    ] {
        login(&app, &email, "wrong-password").await.problem(401);
    }
    assert_limited(&login(&app, &ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD).await);
}

#[actix_web::test]
async fn successful_sign_ins_do_not_count_and_do_not_erase_failures() {
    let app = spawn("2", "1000", &[]).await;
    for _ in 0..5 {
        let res = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    login(&app, ADMIN_EMAIL, "wrong-password")
        .await
        .problem(401);
    let res = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status, 200, "{}", res.text());
    login(&app, ADMIN_EMAIL, "wrong-password")
        .await
        .problem(401);
    assert_limited(&login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await);
}

#[actix_web::test]
async fn one_locked_account_does_not_lock_the_others() {
    let app = spawn("2", "1000", &[]).await;
    let (id, _) = app.staff("account_executive").await;
    let email = app.email_of(id).await;
    for _ in 0..2 {
        login(&app, ADMIN_EMAIL, "wrong-password")
            .await
            .problem(401);
    }
    assert_limited(&login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await);
    let res = login(&app, &email, STAFF_PASSWORD).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn unknown_emails_are_limited_like_real_ones() {
    let app = spawn("2", "1000", &[]).await;
    let nobody = "nobody@suits.test";
    for _ in 0..2 {
        login(&app, nobody, "wrong-password").await.problem(401);
    }
    let unknown = assert_limited(&login(&app, nobody, "wrong-password").await);

    for _ in 0..2 {
        login(&app, ADMIN_EMAIL, "wrong-password")
            .await
            .problem(401);
    }
    let known = assert_limited(&login(&app, ADMIN_EMAIL, "wrong-password").await);
    assert_eq!(
        unknown["title"], known["title"],
        "no hint whether the account exists"
    );
}

#[actix_web::test]
async fn failures_from_one_address_are_limited_across_accounts() {
    let app = spawn("1000", "3", &[]).await;
    let peer = "203.0.113.7:50000";
    for n in 0..3 {
        login_from(
            &app,
            peer,
            &format!("guess{n}@suits.test"),
            "wrong-password",
        )
        .await
        .problem(401);
    }
    // Another port of the same host is the same client.
    assert_limited(&login_from(&app, "203.0.113.7:50001", ADMIN_EMAIL, ADMIN_PASSWORD).await);
    let res = login_from(&app, "198.51.100.1:40000", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status, 200, "another address: {}", res.text());
}

#[actix_web::test]
async fn ipv6_clients_are_counted_per_64_block() {
    let app = spawn("1000", "2", &[]).await;
    login_from(&app, "[2001:db8:1:2::1]:5000", "a@suits.test", "wrong")
        .await
        .problem(401);
    login_from(&app, "[2001:db8:1:2::ffff]:5000", "b@suits.test", "wrong")
        .await
        .problem(401);
    assert_limited(&login_from(&app, "[2001:db8:1:2::3]:5000", ADMIN_EMAIL, ADMIN_PASSWORD).await);
    let res = login_from(&app, "[2001:db8:1:3::1]:5000", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status, 200, "another /64: {}", res.text());
}

#[actix_web::test]
async fn forwarded_addresses_are_ignored_unless_the_proxy_is_trusted() {
    let app = spawn("1000", "2", &[]).await;
    let proxy = "10.0.0.5:443";
    for n in 0..2 {
        app.post("/api/v1/auth/token")
            .peer(proxy)
            .header("x-forwarded-for", &format!("192.0.2.{n}"))
            .json(credentials(&format!("guess{n}@suits.test"), "wrong"))
            .send()
            .await
            .problem(401);
    }
    let res = app
        .post("/api/v1/auth/token")
        .peer(proxy)
        .header("x-forwarded-for", "192.0.2.99")
        .json(credentials(ADMIN_EMAIL, ADMIN_PASSWORD))
        .send()
        .await;
    assert_limited(&res);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_address_it_appended_counts() {
    let app = spawn("1000", "2", &[("SUITS_TRUST_PROXY", "true")]).await;
    let proxy = "10.0.0.5:443";
    let attempt = |forwarded: (&'static str, &'static str), email: &str, password: &str| {
        app.post("/api/v1/auth/token")
            .peer(proxy)
            .header(forwarded.0, forwarded.1)
            .json(credentials(email, password))
            .send()
    };
    // The client can put anything first; the proxy appends what it saw, last.
    attempt(
        ("x-forwarded-for", "1.1.1.1, 192.0.2.7"),
        "a@suits.test",
        "wrong",
    )
    .await
    .problem(401);
    attempt(
        ("forwarded", "for=\"[2001:db8::1]\", for=192.0.2.7:1234"),
        "b@suits.test",
        "wrong",
    )
    .await
    .problem(401);
    assert_limited(
        &attempt(
            ("x-forwarded-for", "192.0.2.7"),
            ADMIN_EMAIL,
            ADMIN_PASSWORD,
        )
        .await,
    );

    // Another client behind the same proxy is not affected.
    let res = attempt(
        ("x-forwarded-for", "192.0.2.7, 198.51.100.20"),
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn a_limited_answer_is_readable_by_an_allowed_frontend() {
    let origin = "http://localhost:18101";
    let app = spawn("1", "1000", &[("SUITS_CORS_ORIGINS", origin)]).await;
    login(&app, ADMIN_EMAIL, "wrong").await.problem(401);
    let res = app
        .post("/api/v1/auth/token")
        .header("origin", origin)
        .json(credentials(ADMIN_EMAIL, ADMIN_PASSWORD))
        .send()
        .await;
    assert_limited(&res);
    assert_eq!(res.header("access-control-allow-origin"), Some(origin));
    assert!(res
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .contains("retry-after"));
}

#[actix_web::test]
async fn the_tracked_accounts_and_addresses_are_capped() {
    let app = spawn("5", "5", &[("SUITS_LOGIN_TRACKED_KEYS", "3")]).await;
    for n in 0..6 {
        login_from(
            &app,
            &format!("192.0.2.{n}:1000"),
            &format!("guess{n}@suits.test"),
            "wrong",
        )
        .await
        .problem(401);
    }
    let (accounts, addresses) = app.state.login_limits.tracked();
    assert!(
        accounts <= 3 && addresses <= 3,
        "{accounts} accounts, {addresses} addresses"
    );
    // Accounts already tracked are still limited.
    for _ in 0..4 {
        login(&app, "guess0@suits.test", "wrong").await.problem(401);
    }
    assert_limited(&login(&app, "guess0@suits.test", "wrong").await);
}

#[actix_web::test]
async fn the_spec_documents_429_with_retry_after_on_create_token() {
    let app = TestApp::spawn().await;
    let spec = app.get("/api/v1/openapi.json").send().await.json();
    let op = &spec["paths"]["/api/v1/auth/token"]["post"];
    assert_eq!(
        op["responses"]["429"]["$ref"],
        "#/components/responses/TooManyRequests"
    );
    let response = &spec["components"]["responses"]["TooManyRequests"];
    assert_eq!(
        response["headers"]["Retry-After"]["schema"]["type"],
        "integer"
    );
    assert!(response["description"]
        .as_str()
        .unwrap()
        .contains("per instance"));
}

#[test]
fn limits_have_defaults_and_bad_values_are_refused() {
    let config = |pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        suits::config::Config::from_lookup(move |key| {
            pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        })
    };
    let limits = config(&[]).unwrap().login_limits;
    assert_eq!(limits.per_account.get(), 10);
    assert_eq!(limits.per_address.get(), 50);
    assert_eq!(limits.window.as_secs(), WINDOW_SECS);
    assert!(!limits.trust_proxy);
    assert!(limits.max_tracked >= 10_000);
    assert!(
        config(&[("SUITS_TRUST_PROXY", "true")])
            .unwrap()
            .login_limits
            .trust_proxy
    );

    for (key, value) in [
        ("SUITS_LOGIN_FAILURES_PER_ACCOUNT", "0"),
        ("SUITS_LOGIN_FAILURES_PER_ACCOUNT", "ten"),
        ("SUITS_LOGIN_FAILURES_PER_ADDRESS", "-1"),
        ("SUITS_LOGIN_FAILURES_PER_ADDRESS", "1000000000"),
        ("SUITS_LOGIN_FAILURE_WINDOW", "0"),
        ("SUITS_LOGIN_FAILURE_WINDOW", "99999999"),
        ("SUITS_LOGIN_TRACKED_KEYS", "0"),
        ("SUITS_TRUST_PROXY", "maybe"),
    ] {
        let err = config(&[(key, value)]).expect_err(&format!("{key}={value}"));
        assert!(err.contains(key), "{key}={value}: {err}");
    }
}
