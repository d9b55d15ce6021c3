//! `POST /api/v1/auth/token`: exchange email and password for a bearer token.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::staff::repo;
use crate::auth::password;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::rest::body::ValidJson;
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
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 3600}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// Get an access token
///
/// Send the token as `Authorization: Bearer <access_token>`. A wrong email, a wrong
/// password and a deactivated account all answer the same 401, in the same time.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_token",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A bearer token", body = TokenResponse, headers(
            ("Cache-Control" = String, description = "`no-store`: a token is never cached"),
        )),
        (status = 401, description = "Wrong email or password, or a deactivated account", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
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
    let checked = db::run(&state.pool, move |conn| {
        match repo::credentials(conn, &email)? {
            Some((id, active, hash)) => {
                Ok((password::verify(&input.password, &hash) && active).then_some(id))
            }
            None => {
                password::verify_dummy(&input.password);
                Ok(None)
            }
        }
    })
    .await;
    let staff_id = match checked {
        Ok(Some(staff_id)) => {
            limits.give_back(reservation);
            staff_id
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
        }))
}
