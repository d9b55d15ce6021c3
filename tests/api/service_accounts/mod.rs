//! Service accounts: identities for integrations, with client credentials exchanged for
//! access tokens at `POST /auth/token` (the OAuth 2.0 client-credentials grant).

mod credentials;
mod grant;
mod lifecycle;
mod roles;
mod scope;

use base64::Engine;
use serde_json::Value;

use crate::helpers::*;

/// `Authorization: Basic …` for `client_id:client_secret`.
pub fn basic(client_id: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    format!("Basic {encoded}")
}

/// The client-credentials grant with HTTP Basic.
pub async fn grant(app: &TestApp, client_id: &str, secret: &str) -> Resp {
    app.post("/api/v1/auth/token")
        .header("authorization", &basic(client_id, secret))
        .body(
            "application/x-www-form-urlencoded",
            "grant_type=client_credentials",
        )
        .send()
        .await
}

/// An access token for the service account, by the client-credentials grant.
pub async fn token_of(app: &TestApp, account: &ServiceAccount) -> String {
    let res = grant(app, &account.client_id, &account.client_secret).await;
    assert_eq!(res.status, 200, "client credentials: {}", res.text());
    res.json()["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

/// Asserts the one refusal of a failed client authentication.
#[track_caller]
pub fn assert_invalid_client(res: &Resp) -> Value {
    let problem = res.problem(401);
    assert_eq!(problem["error"], "invalid_client");
    assert!(res
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Basic")));
    problem
}
