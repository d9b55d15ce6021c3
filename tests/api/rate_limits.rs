//! Requests per caller per minute: every signed answer says where the caller stands
//! (`RateLimit-Policy`, `RateLimit`); past the allowance, a 429 problem with
//! `Retry-After`. Each caller has their own allowance.

use suits::config::Config;

use crate::helpers::*;

#[actix_web::test]
async fn a_caller_past_the_allowance_gets_a_429_with_retry_after_and_others_do_not() {
    let app = TestApp::spawn_with(&[("SUITS_RATE_LIMIT", "3")]).await;
    let (_, other) = app.staff("account_executive").await;
    let (_, caller) = app.staff("account_executive").await;
    for left in [2, 1, 0] {
        let res = app.get("/api/v1/me").token(&caller).send().await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(
            res.header("ratelimit-policy"),
            Some("\"per-caller\";q=3;w=60")
        );
        let standing = res.header("ratelimit").expect("RateLimit").to_owned();
        assert!(
            standing.starts_with(&format!("\"per-caller\";r={left};t=")),
            "{standing}"
        );
    }
    let res = app.get("/api/v1/me").token(&caller).send().await;
    let problem = res.problem(429);
    let retry: u64 = res
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(
        (1..=20).contains(&retry),
        "one request comes back every 20 s: {retry}"
    );
    assert_eq!(
        res.header("ratelimit"),
        Some(format!("\"per-caller\";r=0;t={retry}").as_str())
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("retry"),
        "{problem}"
    );
    // Someone else's allowance is their own.
    let res = app.get("/api/v1/me").token(&other).send().await;
    assert_eq!(res.status, 200);
    // A request without a valid token is nobody's: a 401, no standing.
    let res = app.get("/api/v1/me").token("not-a-token").send().await;
    res.problem(401);
    assert_eq!(res.header("ratelimit"), None);
}

#[actix_web::test]
async fn the_limit_is_on_by_default_and_can_be_set_or_turned_off() {
    let config = |value: Option<&str>| {
        Config::from_lookup(|key| match key {
            "SUITS_RATE_LIMIT" => value.map(str::to_owned),
            _ => None,
        })
    };
    assert_eq!(
        config(None).unwrap().rate_limit.map(|n| n.get()),
        Some(1200)
    );
    assert_eq!(
        config(Some("90")).unwrap().rate_limit.map(|n| n.get()),
        Some(90)
    );
    assert_eq!(config(Some("OFF")).unwrap().rate_limit, None);
    for bad in ["0", "-5", "fast", ""] {
        let e = config(Some(bad)).unwrap_err();
        assert!(e.contains("SUITS_RATE_LIMIT"), "{bad:?}: {e}");
    }
}
