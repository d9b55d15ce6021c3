//! `POST /api/v1/auth/token`: exchange email and password for a bearer token and a
//! refresh token, or a service account's client credentials for a bearer token
//! (`client_credentials.rs`); `POST /api/v1/auth/refresh`: a refresh token for the next pair;
//! `POST /api/v1/auth/logout`: end the session.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

mod client_credentials;

use self::client_credentials::{ClientCredentialsRequest, TokenBody};
use super::staff::repo;
use crate::api::health::NoParams;
use crate::auth::{password, refresh as sessions};
use crate::db;
use crate::error::{ApiError, Problem};
use crate::rest::body::ValidJson;
use crate::rest::params;
use crate::rest::text::single_line;
use crate::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@suits.local", "password": "correct horse battery staple"}))]
pub struct TokenRequest {
    #[validate(length(min = 1, max = 254, message = "is required"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[validate(length(min = 1, max = 1024, message = "is required"))]
    #[schema(min_length = 1, max_length = 1024)]
    #[schema(format = Password)]
    pub password: String,
}

/// A sign-in's tokens. A service account (client credentials) gets the access token
/// alone: it signs in again with its credentials instead of refreshing.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 3600,
    "refresh_token": "m1Qx0T2c4Yf8Vb3n6Jk9Lp5Rs7Wd2Ge4Hu8Ia1Zo0Cy", "refresh_expires_in": 2592000
}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Exchange it at `POST /api/v1/auth/refresh` for the next pair before then; usable
    /// once. Keep it as safe as a password. Absent for client credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub refresh_token: Option<String>,
    /// Seconds until the refresh token expires unused. Absent for client credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub refresh_expires_in: Option<u64>,
}

/// A session's refresh token.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "m1Qx0T2c4Yf8Vb3n6Jk9Lp5Rs7Wd2Ge4Hu8Ia1Zo0Cy"}))]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

/// The access token and, for a person, the session's refresh token, answered with
/// `Cache-Control: no-store`.
fn tokens(
    state: &AppState,
    staff_id: i64,
    session: Option<sessions::Issued>,
) -> Result<HttpResponse, ApiError> {
    let access_token = state
        .tokens
        .issue(staff_id)
        .map_err(|e| ApiError::internal(format!("cannot sign a token: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.ttl.as_secs(),
            refresh_expires_in: session.as_ref().map(|s| s.expires_in),
            refresh_token: session.map(|s| s.token),
        }))
}

/// Get an access token
///
/// Two grants, told apart by `Content-Type`:
///
/// - **Password** (`application/json`, email and password): a person signs in and gets an
///   access token and a refresh token (`POST /auth/refresh` keeps the session going). A
///   wrong email, a wrong password and a deactivated account all answer the same 401, in
///   the same time. A service account cannot sign in this way.
/// - **Client credentials** (`application/x-www-form-urlencoded`,
///   `grant_type=client_credentials`, RFC 6749 §4.4): a service account authenticates with
///   HTTP Basic (`client_id:client_secret`) or with `client_id` and `client_secret` in the
///   form, and gets an access token alone. Refusals carry the OAuth `error` code: 401
///   `invalid_client` (unknown client, wrong secret or deactivated account, alike), 400
///   `unsupported_grant_type` or `invalid_request`.
///
/// Failed attempts count against the sign-in limits per account (email or client id) and
/// per address (429).
#[utoipa::path(
    tag = "auth",
    operation_id = "create_token",
    request_body(
        description = "The password grant (JSON) or the client-credentials grant (form)",
        content(
            (TokenRequest = "application/json", example = json!({"email": "admin@suits.local", "password": "correct horse battery staple"})),
            (ClientCredentialsRequest = "application/x-www-form-urlencoded", example = json!({"grant_type": "client_credentials"})),
        ),
    ),
    responses(
        (status = 200, description = "A bearer token (and, for the password grant, a refresh token)", body = TokenResponse, headers(
            ("Cache-Control" = String, description = "`no-store`: a token is never cached"),
        )),
        (status = 400, description = "A client-credentials request without `grant_type`, with another grant type (`error`: `unsupported_grant_type`), or otherwise malformed (`invalid_request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password, or a deactivated account; for client credentials, `error`: `invalid_client`", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    _: params::Query<NoParams>,
    state: web::Data<AppState>,
    body: TokenBody,
) -> Result<HttpResponse, ApiError> {
    match body {
        TokenBody::Password(input) => password_grant(&req, &state, input).await,
        TokenBody::Form(form) => client_credentials_grant(&req, &state, form).await,
    }
}

async fn password_grant(
    req: &HttpRequest,
    state: &AppState,
    input: TokenRequest,
) -> Result<HttpResponse, ApiError> {
    let email = input.email.trim().to_lowercase();
    let limits = &state.login_limits;
    // Counted as a failure until the password proves right; over the limit, the password
    // is not even checked.
    let reservation = limits
        .reserve(
            &email,
            limits.client_address(req.peer_addr(), req.headers()),
        )
        .map_err(|refused| ApiError::TooManyRequests {
            retry_after: refused.retry_after_secs(),
        })?;
    let ttl = state.refresh_ttl;
    let checked = db::run(&state.pool, move |conn| {
        let staff_id = match repo::credentials(conn, &email)? {
            Some((id, active, hash)) => {
                (password::verify(&input.password, &hash) && active).then_some(id)
            }
            None => {
                password::verify_dummy(&input.password);
                None
            }
        };
        match staff_id {
            Some(id) => Ok(Some((id, sessions::issue(conn, id, None, ttl)?))),
            None => Ok(None),
        }
    })
    .await;
    let (staff_id, session) = match checked {
        Ok(Some(signed_in)) => {
            limits.give_back(reservation);
            signed_in
        }
        Ok(None) => {
            return Err(ApiError::Unauthorized(
                "the email or password is wrong, or the account is deactivated".into(),
            ))
        }
        // The password was not judged (e.g. the database is down): not a failure.
        Err(e) => {
            limits.give_back(reservation);
            return Err(e);
        }
    };
    tokens(state, staff_id, Some(session))
}

async fn client_credentials_grant(
    req: &HttpRequest,
    state: &AppState,
    form: Vec<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let client = client_credentials::client_of(req, form)?;
    let limits = &state.login_limits;
    // As for passwords: a failure reserved before the secret is checked, per client id
    // (which no email can equal: it has no `@`) and per address.
    let reservation = limits
        .reserve(
            &client.id,
            limits.client_address(req.peer_addr(), req.headers()),
        )
        .map_err(|refused| ApiError::TooManyRequests {
            retry_after: refused.retry_after_secs(),
        })?;
    match client_credentials::authenticate(state, client).await {
        Ok(Some(staff_id)) => {
            limits.give_back(reservation);
            tokens(state, staff_id, None)
        }
        Ok(None) => Err(client_credentials::invalid_client()),
        Err(e) => {
            limits.give_back(reservation);
            Err(e)
        }
    }
}

/// Refresh a session
///
/// Spends the refresh token and answers a new access token and the next refresh token
/// (the same answer as a sign-in). Each refresh token works once: sending one a second
/// time — a copy in someone else's hands, or two tabs racing — ends the whole session, and
/// both holders must sign in again. Expired, revoked and unknown tokens, and those of a
/// deactivated account, are all the same 401.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and the next refresh token", body = TokenResponse, headers(
            ("Cache-Control" = String, description = "`no-store`: a token is never cached"),
        )),
        (status = 401, description = "The refresh token is unknown, expired, revoked or already used", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[post("/auth/refresh")]
pub async fn refresh(
    _: params::Query<NoParams>,
    state: web::Data<AppState>,
    ValidJson(input): ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let ttl = state.refresh_ttl;
    let (staff_id, next) = db::run(&state.pool, move |conn| {
        sessions::rotate(conn, &input.refresh_token, ttl)
    })
    .await?;
    tokens(&state, staff_id, Some(next))
}

/// Sign out
///
/// Ends the session the refresh token belongs to: its refresh tokens stop working. The
/// access token in hand works until it expires (at most `expires_in` seconds). Always 204,
/// whether the token was valid or not: signing out twice is harmless.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out")),
    extensions(("x-permission" = json!("public"))),
)]
#[post("/auth/logout")]
pub async fn logout(
    _: params::Query<NoParams>,
    state: web::Data<AppState>,
    ValidJson(input): ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        Ok(db::write_tx(conn, |conn| {
            sessions::revoke(conn, &input.refresh_token)
        })?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
