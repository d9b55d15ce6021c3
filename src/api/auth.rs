//! `POST /api/v1/auth/token`: exchange email and password for a bearer token and a
//! refresh token; `POST /api/v1/auth/refresh`: a refresh token for the next pair;
//! `POST /api/v1/auth/logout`: end the session.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

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
    /// once. Keep it as safe as a password.
    pub refresh_token: String,
    /// Seconds until the refresh token expires unused.
    pub refresh_expires_in: u64,
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

/// Both tokens of a session, answered with `Cache-Control: no-store`.
fn tokens(
    state: &AppState,
    staff_id: i64,
    session: sessions::Issued,
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
            refresh_token: session.token,
            refresh_expires_in: session.expires_in,
        }))
}

/// Get an access token
///
/// Send the token as `Authorization: Bearer <access_token>`. A wrong email, a wrong
/// password and a deactivated account all answer the same 401, in the same time. The
/// refresh token keeps the session going without the password (`POST /auth/refresh`).
#[utoipa::path(
    tag = "auth",
    operation_id = "create_token",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A bearer token and a refresh token", body = TokenResponse, headers(
            ("Cache-Control" = String, description = "`no-store`: a token is never cached"),
        )),
        (status = 401, description = "Wrong email or password, or a deactivated account", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    _: params::Query<NoParams>,
    state: web::Data<AppState>,
    ValidJson(input): ValidJson<TokenRequest>,
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
    tokens(&state, staff_id, session)
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
    tokens(&state, staff_id, next)
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
